/**
 * Cursors and COPY through the query layer against the real servers the suite starts:
 * a cursor of 10,050 rows in batches of 1,000; COPY FROM of a million rows checked by count(*) and
 * a checksum; a source that fails half way (CopyFail, table unchanged, connection usable); a server
 * error while the client streams; COPY TO a hundred times larger than the read buffer through a
 * consumer that keeps pausing, with the process's memory bounded; COPY TO piped into sinks.
 */
import { PassThrough, Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, QueryError, ServerError } from '../../src/index.js';
import type { Connection } from '../../src/index.js';
import { pgServer } from '../support/facts.js';
import { openSuperuser } from '../support/query-connect.js';

for (const major of [18, 13]) {
  describe(`cursor and COPY on PostgreSQL ${major}`, () => {
    let conn: Connection;
    beforeAll(async () => {
      conn = await openSuperuser(pgServer(major));
    });
    afterAll(async () => {
      await conn?.close();
    });

    it('a cursor of 10,050 rows in batches of 1,000, no explicit transaction', async () => {
      const sizes: number[] = [];
      let next = 1;
      for await (const batch of conn.cursor('SELECT g FROM generate_series(1, 10050) g', [], { batchRows: 1000 })) {
        sizes.push(batch.length);
        for (const [g] of batch) expect(g).toBe(next++);
      }
      expect(sizes).toEqual([...Array<number>(10).fill(1000), 50]);
      expect(conn.transactionStatus).toBe(0x49);
      expect((await conn.run('SELECT 1 AS one')).rows).toEqual([[1]]);
    });

    it('leaving a cursor early closes its portal; other calls waited for it', async () => {
      const other: Promise<unknown>[] = [];
      let batches = 0;
      for await (const batch of conn.cursor('SELECT g FROM generate_series(1, 100000) g', [], { batchRows: 100 })) {
        batches++;
        expect(batch.length).toBe(100);
        if (batches === 1) other.push(conn.run('SELECT 2 AS two'));
        if (batches === 3) break;
      }
      expect(((await other[0]) as { rows: unknown[] }).rows).toEqual([[2]]);
      expect(conn.transactionStatus).toBe(0x49);
    });

    it('COPY FROM of a million rows, verified by count(*) and a checksum', async () => {
      await conn.run('CREATE TEMP TABLE cf (id int8, v text)');
      async function* rows(): AsyncGenerator<string> {
        let chunk = '';
        for (let i = 1; i <= 1_000_000; i++) {
          chunk += `${i}\tv${i % 997}\n`;
          if (i % 5000 === 0) {
            yield chunk;
            chunk = '';
          }
        }
      }
      const { rowCount } = await conn.copyFrom('COPY cf FROM STDIN', rows());
      expect(rowCount).toBe(1_000_000);
      const check = await conn.run("SELECT count(*), sum(id)::int8, md5(string_agg(v, ',' ORDER BY id)) FROM cf");
      const expectedV = await conn.run("SELECT md5(string_agg('v' || (g % 997), ',' ORDER BY g)) FROM generate_series(1, 1000000) g");
      expect(check.rows[0]!.slice(0, 2)).toEqual([1_000_000n, 500_000_500_000n]);
      expect(check.rows[0]![2]).toBe(expectedV.rows[0]![0]);
    });

    it('large binary chunks go through without a copy, and a Node Readable is a source', async () => {
      await conn.run('CREATE TEMP TABLE cf2 (id int, v text)');
      const line = (i: number): string => `${i}\t${'x'.repeat(60)}\n`;
      const big = Buffer.from(Array.from({ length: 5000 }, (_, i) => line(i)).join(''));
      expect(big.length).toBeGreaterThan(16 * 1024);
      const ten = Buffer.from(Array.from({ length: 10 }, (_, i) => line(i)).join(''));
      const { rowCount } = await conn.copyFrom('COPY cf2 FROM STDIN', Readable.from([big, ten, Buffer.from(line(99999))]));
      expect(rowCount).toBe(5000 + 10 + 1);
    });

    it('a source that fails half way: CopyFail, table unchanged, connection usable', async () => {
      await conn.run('CREATE TEMP TABLE cf3 (id int)');
      const boom = new Error('source exploded');
      async function* failing(): AsyncGenerator<string> {
        for (let i = 0; i < 100; i++) yield `${i}\n`;
        throw boom;
      }
      const err = await conn.copyFrom('COPY cf3 FROM STDIN', failing()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(QueryError);
      expect((err as QueryError).code).toBe(ErrorCode.COPY_SOURCE);
      expect((err as QueryError).cause).toBe(boom);
      expect((await conn.run('SELECT count(*) FROM cf3')).rows).toEqual([[0n]]);
    });

    it('a server error while the client streams stops the writing and rejects with it', async () => {
      await conn.run('CREATE TEMP TABLE cf4 (id int)');
      let produced = 0;
      async function* rows(): AsyncGenerator<string> {
        for (let i = 0; i < 5_000_000; i++) {
          produced++;
          yield i === 10 ? 'not-a-number\n' : `${i}\n`;
        }
      }
      const err = await conn.copyFrom('COPY cf4 FROM STDIN', rows()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ServerError);
      expect((err as ServerError).sqlstate).toBe('22P02');
      expect(produced).toBeLessThan(5_000_000);
      expect((await conn.run('SELECT count(*) FROM cf4')).rows).toEqual([[0n]]);
    });

    it('an abort during COPY FROM sends CopyFail: nothing copied, PGS_ABORTED', async () => {
      await conn.run('CREATE TEMP TABLE cf5 (id int)');
      const ac = new AbortController();
      async function* rows(): AsyncGenerator<string> {
        for (let i = 0; ; i++) {
          if (i === 1000) ac.abort();
          yield `${i}\n`;
        }
      }
      await expect(conn.copyFrom('COPY cf5 FROM STDIN', rows(), { signal: ac.signal })).rejects.toMatchObject({ code: ErrorCode.ABORTED });
      expect((await conn.run('SELECT count(*) FROM cf5')).rows).toEqual([[0n]]);
    });

    it('COPY TO 100× the read buffer through a consumer that keeps pausing: memory stays bounded', async () => {
      // ~110 MB of text output; the reader's input region is 1 MiB.
      const sql = "COPY (SELECT g, repeat('x', 100) FROM generate_series(1, 1000000) g) TO STDOUT";
      global.gc?.();
      const base = process.memoryUsage().rss;
      let peak = base;
      let bytes = 0;
      let chunks = 0;
      const out = conn.copyTo(sql);
      for await (const chunk of out) {
        bytes += chunk.length;
        if (++chunks % 20000 === 0) {
          await new Promise((r) => setTimeout(r, 5));
          peak = Math.max(peak, process.memoryUsage().rss);
        }
      }
      expect(out.rowCount).toBe(1_000_000);
      expect(bytes).toBeGreaterThan(100 * 1024 * 1024);
      // Bounded: far below the data size (a buffered client would hold all of it).
      expect(peak - base).toBeLessThan(64 * 1024 * 1024);
    });

    it('COPY TO into a Node Writable and a web WritableStream, with backpressure', async () => {
      const sql = 'COPY (SELECT g FROM generate_series(1, 50000) g) TO STDOUT';
      let nodeBytes = 0;
      const slow = new Writable({
        highWaterMark: 1024,
        write(chunk: Buffer, _enc, cb) {
          nodeBytes += chunk.length;
          setImmediate(cb);
        },
      });
      expect(await conn.copyTo(sql).pipeTo(slow)).toBe(50000);
      let webBytes = 0;
      const web = new WritableStream<Uint8Array>({ write: (c) => void (webBytes += c.length) });
      expect(await conn.copyTo(sql).pipeTo(web)).toBe(50000);
      expect(nodeBytes).toBe(webBytes);
      expect(nodeBytes).toBeGreaterThan(200_000);
      // And as a web ReadableStream / Node Readable.
      let readBytes = 0;
      for await (const c of Readable.fromWeb(conn.copyTo(sql).stream() as never) as AsyncIterable<Buffer>) readBytes += c.length;
      expect(readBytes).toBe(nodeBytes);
      const through = new PassThrough();
      const reading = (async () => {
        let n = 0;
        for await (const c of through as AsyncIterable<Buffer>) n += c.length;
        return n;
      })();
      await conn.copyTo(sql).pipeTo(through);
      expect(await reading).toBe(nodeBytes);
    });

    it('a COPY TO that fails rejects with the server error; copyTo of a non-COPY is refused', async () => {
      const err = await (async () => {
        for await (const chunk of conn.copyTo('COPY (SELECT 1/0) TO STDOUT')) void chunk;
      })().catch((e: unknown) => e);
      expect((err as ServerError).sqlstate).toBe('22012');
      await expect((async () => {
        for await (const chunk of conn.copyTo('SELECT 1')) void chunk;
      })()).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
      expect((await conn.run('SELECT 5 AS five')).rows).toEqual([[5]]);
    });
  });
}
