// @ts-check
/**
 * Our side of the end-to-end benchmarks, written against the public API: `connect()` (the
 * library's own sockets), the chainable frontend messages, flush(), recv()/tryRecv().
 * Everything our library does in a workload happens here, so the e2e scripts stay client-neutral.
 */
import { ourExports } from '../lib/ours.mjs';

/** @import { BackendMessage, Connection, ConnectOptionsInput, DataRowView } from 'pg-stream' */
/** @import { ServerFacts } from '../lib/types.js' */

/**
 * Our public API as a user imports it (the package entry), else the modules it re-exports.
 */
export async function loadApi() {
  return ourExports(['connect', 'MessageCode'], ['transport/node/connect.js', 'protocol/codes.js']);
}

/** @typedef {Awaited<ReturnType<typeof loadApi>>} Api */

/**
 * Opens a session with `connect()`: the library's own sockets (TCP_NODELAY, reads straight into
 * WASM memory). With `tls`: verify-full against the test CA; channel binding off, as `pg` and
 * postgres.js do by default. PG* variables of the environment are ignored.
 * @param {Api} api
 * @param {ServerFacts} s
 * @param {boolean} tls
 * @returns {Promise<Connection>}
 */
async function open(api, s, tls) {
  /** @type {ConnectOptionsInput} */
  const options = {
    host: s.host, port: s.port, user: s.user, password: s.password, database: s.database,
    sslmode: tls ? 'verify-full' : 'disable', channelBinding: 'disable',
  };
  const rootCert = s.ca ?? undefined;
  const { conn } = await api.connect(options, { env: {}, ...(tls && rootCert !== undefined ? { tls: { rootCert } } : {}) });
  return conn;
}

/**
 * Reads messages until ReadyForQuery, calling `on(msg)` for each other one (a returned promise is
 * awaited: backpressure); throws on ErrorResponse, after ReadyForQuery.
 * @param {Connection} conn
 * @param {Api['MessageCode']} C
 * @param {(msg: BackendMessage) => Promise<unknown> | void} [on]
 */
async function untilReady(conn, C, on) {
  /** @type {Error | null} */
  let failure = null;
  for (;;) {
    let msg = conn.tryRecv();
    if (msg === null) {
      if (conn.pending > 0) await conn.flush();
      msg = await conn.recv();
    }
    if (msg.code === C.READY_FOR_QUERY) break;
    if (msg.code === C.ERROR_RESPONSE) failure ??= new Error(`server error: ${msg.fields.get('M')}`);
    else if (on !== undefined) {
      const wait = on(msg);
      if (wait !== undefined) await wait;
    }
  }
  if (failure) throw failure;
}

/**
 * The session wrapper the e2e scripts use.
 * @param {ServerFacts} s
 * @param {{ tls?: boolean }} [options]
 */
export async function connectOurs(s, { tls = false } = {}) {
  const api = await loadApi();
  const C = api.MessageCode;
  const conn = await open(api, s, tls);
  return {
    info: { api: 'recv()/tryRecv() loop, pull (backpressure)' },

    /**
     * Simple query; `onRow(row, fieldCount)` per DataRow (may return a promise: the loop waits).
     * @param {string} sql
     * @param {(row: DataRowView, fieldCount: number) => Promise<unknown> | void} onRow
     */
    async selectText(sql, onRow) {
      conn.query(sql);
      await conn.flush();
      await untilReady(conn, C, (msg) => (msg.code === C.DATA_ROW ? onRow(msg, msg.fieldCount) : undefined));
    },

    /**
     * Parse + Sync of a named statement.
     * @param {string} name
     * @param {string} sql
     */
    async prepare(name, sql) {
      conn.parse(name).query(sql).finish().sync();
      await conn.flush();
      await untilReady(conn, C);
    },

    /**
     * `count` executions of statement `name` with one text parameter, at most `depth` in flight,
     * a Sync after every `syncEvery`. Messages are written as results free the window and sent with
     * one flush whenever the receive loop would otherwise wait.
     * @param {string} name
     * @param {number} count
     * @param {number} depth
     * @param {number} syncEvery
     */
    async pointQueries(name, count, depth, syncEvery) {
      let sent = 0;
      let completed = 0;
      let sum = 0;
      /** @type {number[]} */
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
        if (msg.code === C.DATA_ROW) sum += Number(msg.text(0));
        else if (msg.code === C.READY_FOR_QUERY) completed = boundaries[head++];
        else if (msg.code === C.ERROR_RESPONSE) throw new Error(`server error: ${msg.fields.get('M')}`);
      }
      return { sum };
    },

    /**
     * COPY … TO STDOUT: `onChunk(bytes)` per CopyData (a view, valid during the call).
     * @param {string} sql
     * @param {(bytes: Uint8Array) => void} onChunk
     */
    async copyOut(sql, onChunk) {
      conn.query(sql);
      await conn.flush();
      await untilReady(conn, C, (msg) => { if (msg.code === C.COPY_DATA) onChunk(msg.data); });
    },

    /**
     * COPY … FROM STDIN of `parts`, flushing (and waiting out backpressure) every 256 KiB.
     * @param {string} sql
     * @param {readonly Uint8Array[]} parts
     */
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

    /** The connection itself, for the cases that go through the query layer (run, stream, pipeline, COPY). */
    connection: conn,
  };
}

/**
 * For the connect benchmark: `load` imports our library, `open` connects + runs SELECT 1 and
 * returns a closer.
 * @param {ServerFacts} s
 * @param {{ tls?: boolean }} [options]
 */
export function oursConnectLoader(s, { tls = true } = {}) {
  return {
    load: () => loadApi(),
    /** @param {Api} api */
    open: async (api) => {
      const conn = await open(api, s, tls);
      conn.query('SELECT 1');
      await conn.flush();
      await untilReady(conn, api.MessageCode);
      return () => conn.close();
    },
  };
}
