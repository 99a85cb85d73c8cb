/**
 * Our side of the end-to-end benchmarks, written against the public API (connect() or
 * ConnectionBuilder, chainable frontend messages, flush(), recv()/tryRecv()).
 * Everything our library does in a workload happens here, so the e2e scripts stay client-neutral.
 */
import net from 'node:net';
import { loadOurs, loadPackage } from './lib.mjs';

/** Our public API as a user imports it (package entry), else the modules it re-exports. */
export async function loadApi() {
  let api;
  try {
    api = await loadPackage();
  } catch {
    api = {
      ...(await loadOurs('connection/builder.js')),
      ...(await loadOurs('connection/auth-mode.js')),
      ...(await loadOurs('codec.js')),
    };
  }
  for (const name of ['ConnectionBuilder', 'AuthenticationMode', 'MessageCode']) {
    if (!(name in api)) throw new Error(`our public API does not export ${name} yet`);
  }
  return api;
}

/**
 * Opens a session with `connect()` (the library's own sockets: TCP_NODELAY, reads straight into
 * WASM memory), or — before that lands — ConnectionBuilder over a net.Socket as the README shows.
 * With `tls`: verify-full against the test CA; channel binding off, as `pg` and postgres.js do by
 * default. PG* variables of the environment are ignored.
 */
async function open(api, s, tls) {
  if (typeof api.connect === 'function') {
    const options = {
      host: s.host, port: s.port, user: s.user, password: s.password, database: s.database,
      sslmode: tls ? 'verify-full' : 'disable', channelBinding: 'disable',
    };
    const { conn } = await api.connect(options, { env: {}, ...(tls ? { tls: { rootCert: s.ca } } : {}) });
    return conn;
  }
  const socket = net.connect({ port: s.port, host: s.host, noDelay: true });
  let builder = new api.ConnectionBuilder(s.user).database(s.database).auth(api.AuthenticationMode.password(s.password));
  if (tls) builder = builder.sslmode('verify-full').tls({ rootCert: s.ca, host: 'localhost' }).channelBinding('disable');
  const { conn } = await builder.connect(socket);
  return conn;
}

/** Reads messages until ReadyForQuery, calling `on(msg)` for each other one; throws on ErrorResponse. */
async function untilReady(conn, C, on) {
  let failure = null;
  for (;;) {
    let msg = conn.tryRecv();
    if (msg === null) {
      if (conn.pending > 0) await conn.flush();
      msg = await conn.recv();
    }
    const code = msg.code;
    if (code === C.READY_FOR_QUERY) break;
    if (code === C.ERROR_RESPONSE) failure ??= new Error(`server error: ${msg.fields.get('M')}`);
    else if (on !== undefined) {
      const wait = on(msg);
      if (wait !== undefined) await wait;
    }
  }
  if (failure) throw failure;
}

/** The session wrapper the e2e scripts use. */
export async function connectOurs(s, { tls = false } = {}) {
  const api = await loadApi();
  const C = api.MessageCode;
  const conn = await open(api, s, tls);
  return {
    info: { api: 'recv()/tryRecv() loop, pull (backpressure)' },

    /** Simple query; `onRow(row, fieldCount)` per DataRow (may return a promise: the loop waits). */
    async selectText(sql, onRow) {
      conn.query(sql);
      await conn.flush();
      await untilReady(conn, C, (msg) => (msg.code === C.DATA_ROW ? onRow(msg, msg.fieldCount) : undefined));
    },

    /** Parse + Sync of a named statement. */
    async prepare(name, sql) {
      conn.parse(name).query(sql).finish().sync();
      await conn.flush();
      await untilReady(conn, C);
    },

    /**
     * `count` executions of statement `name` with one text parameter, at most `depth` in flight,
     * a Sync after every `syncEvery`. Messages are written as results free the window and sent with
     * one flush whenever the receive loop would otherwise wait.
     */
    async pointQueries(name, count, depth, syncEvery) {
      let sent = 0;
      let completed = 0;
      let sum = 0;
      const boundaries = [];
      let head = 0;
      const fill = () => {
        while (sent < count && sent - completed < depth) {
          conn.bind(null).statement(name).finish([String(sent & 1023)]).execute(null, 0);
          sent++;
          if (sent % syncEvery === 0 || sent === count) { conn.sync(); boundaries.push(sent); }
        }
      };
      fill();
      while (completed < count) {
        let msg = conn.tryRecv();
        if (msg === null) {
          fill();
          if (conn.pending > 0) await conn.flush();
          msg = await conn.recv();
        }
        const code = msg.code;
        if (code === C.DATA_ROW) sum += Number(msg.text(0));
        else if (code === C.READY_FOR_QUERY) completed = boundaries[head++];
        else if (code === C.ERROR_RESPONSE) throw new Error(`server error: ${msg.fields.get('M')}`);
      }
      return { sum };
    },

    /** COPY … TO STDOUT: `onChunk(bytes)` per CopyData (a view, valid during the call). */
    async copyOut(sql, onChunk) {
      conn.query(sql);
      await conn.flush();
      await untilReady(conn, C, (msg) => { if (msg.code === C.COPY_DATA) onChunk(msg.data); });
    },

    /** COPY … FROM STDIN of `parts`, flushing (and waiting out backpressure) every 256 KiB. */
    async copyIn(sql, parts) {
      conn.query(sql);
      await conn.flush();
      for (;;) {
        const msg = await conn.recv();
        if (msg.code === C.COPY_IN_RESPONSE) break;
        if (msg.code === C.ERROR_RESPONSE) throw new Error(`server error: ${msg.fields.get('M')}`);
      }
      for (const p of parts) {
        conn.copyData(p);
        if (conn.pending >= 256 * 1024) await conn.flush();
      }
      conn.copyDone();
      await conn.flush();
      await untilReady(conn, C);
    },

    close: () => conn.close(),
  };
}

/** For the connect benchmark: `load` imports our library, `open` connects + SELECT 1 and returns a closer. */
export function oursConnectLoader(s, { tls = true } = {}) {
  return {
    load: () => loadApi(),
    open: async (api) => {
      const conn = await open(api, s, tls);
      conn.query('SELECT 1');
      await conn.flush();
      await untilReady(conn, api.MessageCode);
      return () => conn.close();
    },
  };
}
