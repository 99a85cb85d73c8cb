// @ts-check
/**
 * End to end: COPY w1 TO STDOUT and COPY w1_in FROM STDIN (text format, the same bytes), wall time
 * and this process's CPU for the COPY only.
 *
 *   node bench/e2e/copy.mjs --case copyout:ours|pg|postgresjs|psql|floor
 *   node bench/e2e/copy.mjs --case copyin:ours|pg|postgresjs|psql|floor
 *
 * ours: the raw builders and recv() loop; layer: the query layer (`conn.copyTo(sql)` iterated,
 * `conn.copyFrom(sql, chunks)`).
 * Floors: the server copying to /dev/null, or from a server-side file with the same bytes.
 * COPY in sends the file in 64 KiB chunks, honouring each client's backpressure.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { chunks } from '../lib/chunks.mjs';
import { cpuMs, e2eMain, haveTool, oursConnect, pgClient, postgresJs, runTool, server } from './common.mjs';

/** @import { Writable } from 'node:stream' */
/** @import { E2eRun, E2eSession } from '../lib/types.js' */
/** @import { E2eImplementation } from './common.mjs' */

const OUT_SQL = 'COPY w1 TO STDOUT';
const IN_SQL = 'COPY w1_in FROM STDIN';

/**
 * Wall ms and CPU ms of `fn`, which resolves to the bytes copied.
 * @param {() => Promise<number>} fn
 * @returns {Promise<E2eRun>}
 */
const measure = async (fn) => {
  const c0 = cpuMs();
  const t0 = process.hrtime.bigint();
  const bytes = await fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, cpu: cpuMs() - c0, bytes, check: { bytes } };
};

/** @type {Buffer | null} */
let input = null;
/** The rows as COPY text (the file the server wrote): what COPY out receives and COPY in sends. */
const data = () => (input ??= readFileSync(server().copyFile));

/**
 * Wraps a COPY in session so each run starts from an empty w1_in (outside the timed part), and
 * checks the rows that arrived.
 * @param {(parts: readonly Buffer[]) => Promise<E2eRun>} runOne
 * @param {() => Promise<unknown>} [close]
 * @returns {Promise<E2eSession>}
 */
async function copyIn(runOne, close) {
  const admin = await pgClient();
  const parts = chunks(data());
  return {
    run: async () => {
      await admin.query('TRUNCATE w1_in');
      const r = await runOne(parts);
      const n = Number((await admin.query('SELECT count(*) AS n FROM w1_in')).rows[0].n);
      return { ...r, check: { bytes: Number(r.bytes), rows: n } };
    },
    close: async () => { await close?.(); await admin.end(); },
  };
}

/**
 * Writes chunks into a Node Writable, waiting for 'drain' whenever it asks to.
 * @param {Writable} stream
 * @param {readonly Buffer[]} parts
 */
async function writeAll(stream, parts) {
  for (const p of parts) if (!stream.write(p)) await once(stream, 'drain');
  stream.end();
}

/** @type {Record<string, () => Promise<E2eSession>>} */
const OUT = {
  async floor() {
    const client = await pgClient();
    const bytes = data().length; // the same rows as text: what the clients receive
    return { run: () => measure(async () => { await client.query("COPY w1 TO '/dev/null'"); return bytes; }), close: () => client.end() };
  },
  async pg() {
    const { to } = await import('pg-copy-streams');
    const client = await pgClient();
    return {
      run: () => measure(() => new Promise((resolve, reject) => {
        let bytes = 0;
        const stream = client.query(to(OUT_SQL));
        stream.on('data', (c) => { bytes += c.length; });
        stream.on('error', reject);
        stream.on('end', () => resolve(bytes));
      })),
      close: () => client.end(),
    };
  },
  async postgresjs() {
    // postgres.js 3.4 can leave its socket paused when a COPY readable ends while it applied
    // backpressure: the rest of the reply (CommandComplete, ReadyForQuery) is never read and the
    // next query on that connection hangs (seen in about half the runs). So each run gets its own
    // connection, opened before the timed part and dropped after it.
    return {
      run: async () => {
        const sql = await postgresJs();
        await sql`SELECT 1`;
        const r = await measure(async () => {
          let bytes = 0;
          const readable = await sql.unsafe(OUT_SQL).readable();
          for await (const c of readable) bytes += c.length;
          return bytes;
        });
        await sql.end({ timeout: 0 });
        return r;
      },
    };
  },
  async psql() {
    if (!(await haveTool('psql'))) throw new Error('psql is not installed (Debian: postgresql-client)');
    return {
      run: async () => {
        const r = await runTool(`psql -X -q -c '${OUT_SQL}' > /dev/null`);
        return { ms: r.wallMs, cpu: r.cpuMs, bytes: data().length, check: null };
      },
    };
  },
  async ours() {
    const conn = await oursConnect();
    return {
      run: () => measure(async () => { let bytes = 0; await conn.copyOut(OUT_SQL, (c) => { bytes += c.length; }); return bytes; }),
      close: () => conn.close(),
      info: conn.info,
    };
  },
  async layer() {
    const session = await oursConnect();
    const conn = session.connection;
    return {
      run: () => measure(async () => {
        let bytes = 0;
        for await (const c of conn.copyTo(OUT_SQL)) bytes += c.length;
        return bytes;
      }),
      close: () => session.close(),
      info: { api: 'query layer: for await (const chunk of conn.copyTo(sql))' },
    };
  },
};

/** @type {Record<string, () => Promise<E2eSession>>} */
const IN = {
  async floor() {
    const client = await pgClient();
    return copyIn(() => measure(async () => { await client.query(`COPY w1_in FROM '${server().copyFile}'`); return data().length; }), () => client.end());
  },
  async pg() {
    const { from } = await import('pg-copy-streams');
    const client = await pgClient();
    return copyIn((parts) => measure(async () => {
      const stream = client.query(from(IN_SQL));
      const done = new Promise((resolve, reject) => { stream.on('finish', resolve); stream.on('error', reject); });
      await writeAll(stream, parts);
      await done;
      return data().length;
    }), () => client.end());
  },
  async postgresjs() {
    const sql = await postgresJs();
    await sql`SELECT 1`;
    return copyIn((parts) => measure(async () => {
      const stream = await sql.unsafe(IN_SQL).writable();
      const done = new Promise((resolve, reject) => { stream.on('finish', resolve); stream.on('error', reject); });
      await writeAll(stream, parts);
      await done;
      return data().length;
    }), () => sql.end());
  },
  async psql() {
    if (!(await haveTool('psql'))) throw new Error('psql is not installed (Debian: postgresql-client)');
    return copyIn(async () => {
      const r = await runTool(`psql -X -q -c '${IN_SQL}' < '${server().copyFile}'`);
      return { ms: r.wallMs, cpu: r.cpuMs, bytes: data().length, check: null };
    });
  },
  async ours() {
    const conn = await oursConnect();
    const session = await copyIn((parts) => measure(async () => { await conn.copyIn(IN_SQL, parts); return data().length; }), () => conn.close());
    return { ...session, info: conn.info };
  },
  async layer() {
    const ours = await oursConnect();
    const conn = ours.connection;
    const session = await copyIn((parts) => measure(async () => { await conn.copyFrom(IN_SQL, parts); return data().length; }), () => ours.close());
    return { ...session, info: { api: 'query layer: conn.copyFrom(sql, chunks)' } };
  },
};

/**
 * The implementation `impl` of COPY out or COPY in, by the case's first part (`copyout`, `copyin`).
 * @param {string} impl
 * @returns {E2eImplementation}
 */
const either = (impl) => (_args, dir) => {
  const make = (dir === 'copyin' ? IN : OUT)[impl];
  if (!make) throw new Error(`no ${impl} for ${dir}`);
  return make();
};

await e2eMain(Object.fromEntries(['floor', 'pg', 'postgresjs', 'psql', 'ours', 'layer'].map((impl) => [impl, either(impl)])));
