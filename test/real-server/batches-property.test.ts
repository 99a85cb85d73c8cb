/**
 * Property (fast-check, fixed seed, bounded runs): for random tables of the supported types
 * created on the real servers (PostgreSQL 18 and 13) — random columns, random values with NULLs and
 * edge values, random row counts (each row read up to 40 times, so results span several scan
 * batches) and batch sizes — `batches()` in binary and in text and
 * `copyTo().batches()` (described types) give exactly the values of row-wise `run()` decoding, and
 * the batches' Arrow IPC stream, read back by apache-arrow and by @uwdata/flechette, agrees too.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ColumnBatch, oid, pgTypeName } from '../../src/index.js';
import type { ColumnBuffers, Connection } from '../../src/index.js';
import type { Cell } from '../fixtures/arrow-columns.js';
import { pgServer } from '../support/facts.js';
import { openSuperuser } from '../support/query-connect.js';
import { batchRows, exactTypes, isValid, rowValue } from '../support/batch-values.js';
import { checkBoth } from '../unit/arrow-check.js';

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
/** PostgreSQL's timestamp range in microseconds since 1970 (4714-11-24 BC .. 294276-12-31). */
const TS_MIN = -210866803200000000n;
const TS_MAX = 9224318015999999999n - 946684800000000n - 1n;

/** A column type: SQL name, OID, and values as run() returns them (and copyFrom takes them). */
interface ColumnType {
  readonly sql: string;
  readonly typeOid: number;
  readonly value: fc.Arbitrary<unknown>;
}

const text = fc.string({ unit: 'grapheme', maxLength: 20 }).filter((s) => !s.includes('\u0000'));
const digits = fc.stringMatching(/^-?[0-9]{1,30}(\.[0-9]{1,30})?$/);

const COLUMN_TYPES: readonly ColumnType[] = [
  { sql: 'bool', typeOid: oid.BOOL, value: fc.boolean() },
  { sql: 'int2', typeOid: oid.INT2, value: fc.integer({ min: -32768, max: 32767 }) },
  { sql: 'int4', typeOid: oid.INT4, value: fc.integer() },
  { sql: 'int8', typeOid: oid.INT8, value: fc.bigInt({ min: I64_MIN, max: I64_MAX }) },
  { sql: 'float4', typeOid: oid.FLOAT4, value: fc.float() },
  { sql: 'float8', typeOid: oid.FLOAT8, value: fc.double() },
  { sql: 'numeric', typeOid: oid.NUMERIC, value: fc.oneof(digits, fc.constant('NaN')) },
  { sql: 'date', typeOid: oid.DATE, value: fc.oneof(fc.integer({ min: -2440588, max: 2932896 }), fc.constantFrom(Infinity, -Infinity)) },
  { sql: 'timestamp', typeOid: oid.TIMESTAMP, value: fc.oneof(fc.bigInt({ min: TS_MIN, max: TS_MAX }), fc.constantFrom(Infinity, -Infinity)) },
  { sql: 'timestamptz', typeOid: oid.TIMESTAMPTZ, value: fc.oneof(fc.bigInt({ min: TS_MIN, max: TS_MAX }), fc.constantFrom(Infinity, -Infinity)) },
  { sql: 'time', typeOid: oid.TIME, value: fc.integer({ min: 0, max: 86_400_000_000 }) },
  { sql: 'uuid', typeOid: oid.UUID, value: fc.uuid() },
  { sql: 'text', typeOid: oid.TEXT, value: text },
  { sql: 'varchar', typeOid: oid.VARCHAR, value: text },
  { sql: 'bpchar', typeOid: oid.BPCHAR, value: text.map((s) => s.trimEnd()) },
  { sql: 'name', typeOid: oid.NAME, value: fc.stringMatching(/^[a-z_]{0,20}$/) },
  { sql: 'bytea', typeOid: oid.BYTEA, value: fc.uint8Array({ maxLength: 24 }) },
  { sql: 'json', typeOid: oid.JSON, value: fc.jsonValue({ maxDepth: 2 }) },
  { sql: 'jsonb', typeOid: oid.JSONB, value: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown) },
];

/** A random table: column types, rows (values or null), and the batch size to read it with. */
const tableArb = fc
  .array(fc.constantFrom(...COLUMN_TYPES), { minLength: 1, maxLength: 6 })
  .chain((types) =>
    fc.record({
      types: fc.constant(types),
      rows: fc.array(fc.tuple(...types.map((t) => fc.option(t.value, { freq: 4 }))), { maxLength: 120 }),
      batchRows: fc.integer({ min: 1, max: 1000 }),
      /** Each row read this many times: results of several scan batches (and several blocks per batch). */
      repeat: fc.integer({ min: 1, max: 40 }),
    }),
  );

/** Cells of a batch column as the Arrow libraries give them (arrow-check.ts). */
function cells(c: ColumnBuffers): Cell[] {
  const out: Cell[] = [];
  for (let i = 0; i < c.length; i++) {
    if (!isValid(c, i)) {
      out.push(null);
      continue;
    }
    switch (c.type.typeId) {
      case 'Bool':
        out.push((((c.values as Uint8Array)[i >> 3]! >> (i & 7)) & 1) === 1);
        break;
      case 'FixedSizeBinary':
        out.push((c.values as Uint8Array).slice(i * 16, i * 16 + 16));
        break;
      case 'Utf8':
        out.push(new TextDecoder().decode(c.data!.subarray(c.offsets![i]!, c.offsets![i + 1]!)));
        break;
      case 'Binary':
        out.push(c.data!.slice(c.offsets![i]!, c.offsets![i + 1]!));
        break;
      default:
        out.push((c.values as ArrayLike<number | bigint>)[i]!);
    }
  }
  return out;
}

/** Checks the IPC stream of `batches` with apache-arrow and flechette against the batches' own values. */
function checkIpc(batches: readonly ColumnBatch[]): void {
  const fields = batches[0]!.fields;
  const numRows = batches.reduce((n, b) => n + b.numRows, 0);
  const expected = fields.map((f, i) => ({
    name: f.name,
    type: f.arrowType,
    nullable: true,
    typeOid: f.typeOid,
    typeName: pgTypeName(f.typeOid),
    ...(f.typeModifier !== undefined && f.typeModifier >= 0 ? { typeMod: f.typeModifier } : {}),
    values: batches.flatMap((b) => cells(b.column(i))),
  }));
  checkBoth(ColumnBatch.toIPCStream(batches), expected, numRows);
}

async function collect(batches: AsyncIterable<ColumnBatch>): Promise<ColumnBatch[]> {
  const out: ColumnBatch[] = [];
  for await (const b of batches) out.push(b);
  return out;
}

for (const [major, numRuns] of [[18, 40], [13, 20]] as const) {
  describe(`random tables on PostgreSQL ${major}`, () => {
    let conn: Connection;
    beforeAll(async () => {
      conn = await openSuperuser(pgServer(major), { types: exactTypes() });
      await conn.run(`SET TimeZone = 'UTC'`);
    });
    afterAll(async () => {
      await conn?.close();
    });

    it('batches() (binary, text) and copyTo().batches() agree with run(), and their Arrow IPC read back agrees', { timeout: 60_000 }, async () => {
      let n = 0;
      await fc.assert(
        fc.asyncProperty(tableArb, async ({ types, rows, batchRows: size, repeat }) => {
          const table = `prop_${n++}`;
          const columns = types.map((t, i) => `c${i} ${t.sql}`).join(', ');
          await conn.run(`CREATE TEMP TABLE ${table} (id int4, ${columns})`);
          try {
            const copied = await conn.copyFrom(`COPY ${table} FROM STDIN (FORMAT binary)`, {
              types: [oid.INT4, ...types.map((t) => t.typeOid)],
              rows: rows.map((r, i) => [i, ...r]),
            });
            expect(copied.rowCount).toBe(rows.length);
            const sql = `SELECT t.* FROM ${table} t, generate_series(1, ${repeat}) g ORDER BY id, g`;
            const total = rows.length * repeat;
            const expected = (await conn.run(sql)).rows.map((r) => (r as unknown[]).map(rowValue));
            const ways: [string, ColumnBatch[]][] = [
              ['binary', await collect(conn.batches(sql, [], { batchRows: size }))],
              ['text', await collect(conn.batches(sql, [], { batchRows: size, format: 'text' }))],
              ['copy', await collect(conn.copyTo(`COPY (${sql}) TO STDOUT (FORMAT binary)`).batches({ batchRows: size }))],
            ];
            for (const [way, batches] of ways) {
              expect(batches.map((b) => b.numRows), way).toEqual(
                Array.from({ length: Math.ceil(total / size) }, (_, i) => Math.min(size, total - i * size)),
              );
              expect(batchRows(batches), way).toEqual(expected);
              if (batches.length > 0) checkIpc(batches);
            }
          } finally {
            await conn.run(`DROP TABLE ${table}`);
          }
        }),
        { seed: 20261205 + major, numRuns },
      );
    });
  });
}
