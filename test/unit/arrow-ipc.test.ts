/**
 * ColumnBatch.toIPC / toIPCStream / toIPCFile read back by two independent Arrow implementations,
 * apache-arrow (arrow-js) and @uwdata/flechette: values, types, nullability, field names and the
 * pg.* field metadata — for every mapped type, NULLs, all-NULL, empty and 0-row columns, one row,
 * 100 000 rows, several batches, and the file format.
 */
import * as arrow from 'apache-arrow';
import * as flechette from '@uwdata/flechette';
import { describe, expect, it } from 'vitest';
import { ColumnBatch } from '../../src/types/arrow/batch.js';
import type { ArrowType } from '../../src/types/arrow/column-buffers.js';
import type { ColumnField } from '../../src/types/arrow/field.js';
import {
  encodeIpcEndOfStream,
  encodeIpcRecordBatch,
  encodeIpcSchema,
} from '../../src/types/arrow/ipc-writer.js';
import { oid } from '../../src/types/oids.js';
import { buildColumn } from '../fixtures/arrow-columns.js';
import type { Cell } from '../fixtures/arrow-columns.js';
import { checkArrowJs, checkBoth, checkFlechette, expectedOf } from './arrow-check.js';
import { SAMPLES, sampleBatch, sampleType, sliceSamples } from './arrow-samples.js';
import type { Sample } from './arrow-samples.js';

describe('ColumnBatch.toIPC read by apache-arrow and flechette', () => {
  it('every mapped type, with NULLs, extremes, NaN/-0/Infinity and non-ASCII text', () => {
    const batch = sampleBatch(SAMPLES);
    checkBoth(batch.toIPC(), expectedOf(SAMPLES), 5);
  });

  it('the same when the buffers are longer than the rows and a validity bitmap is given without NULLs', () => {
    const noNulls = sliceSamples(SAMPLES, 0, 2).filter((s) => s.values.every((v) => v !== null));
    expect(noNulls.length).toBeGreaterThan(10);
    const batch = sampleBatch(noNulls, { slack: 9, validityWithoutNulls: true });
    checkBoth(batch.toIPC(), expectedOf(noNulls), 2);
  });

  it('one row, and the NULL row alone (all-NULL columns)', () => {
    checkBoth(sampleBatch(sliceSamples(SAMPLES, 0, 1)).toIPC(), expectedOf(sliceSamples(SAMPLES, 0, 1)), 1);
    const nullRow = sliceSamples(SAMPLES, 4, 5).filter((s) => s.values[0] === null);
    expect(nullRow).toHaveLength(SAMPLES.length);
    checkBoth(sampleBatch(nullRow).toIPC(), expectedOf(nullRow), 1);
  });

  it('all-NULL columns of 13 rows (a bitmap of two bytes, all zero)', () => {
    const samples = SAMPLES.map((s) => ({ ...s, values: new Array<Cell>(13).fill(null) }));
    checkBoth(sampleBatch(samples).toIPC(), expectedOf(samples), 13);
  });

  it('0 rows of every type', () => {
    const empty = sliceSamples(SAMPLES, 0, 0);
    const batch = sampleBatch(empty);
    expect(batch.numRows).toBe(0);
    checkBoth(batch.toIPC(), expectedOf(empty), 0);
  });

  it('empty strings and empty byte strings only (data buffers of 0 bytes)', () => {
    const samples: Sample[] = [
      { name: 's', typeOid: oid.TEXT, typeName: 'text', values: ['', '', ''] },
      { name: 'y', typeOid: oid.BYTEA, typeName: 'bytea', values: [new Uint8Array(0), null, new Uint8Array(0)] },
    ];
    checkBoth(sampleBatch(samples).toIPC(), expectedOf(samples), 3);
  });

  it('no column at all: a schema without fields and a batch of N rows', () => {
    const batch = new ColumnBatch([], [], 3);
    const table = arrow.tableFromIPC(batch.toIPC());
    expect(table.schema.fields).toHaveLength(0);
    expect(table.numRows).toBe(3);
    expect(flechette.tableFromIPC(batch.toIPC()).schema.fields).toHaveLength(0);
  });

  it('field names: __proto__, constructor, empty, non-ASCII, duplicates, long', () => {
    const names = ['__proto__', 'constructor', '', 'ünïcødé 名前 🐘', 'dup', 'dup', 'x'.repeat(300)];
    const fields: ColumnField[] = names.map((name) => ({ name, typeOid: oid.INT4, arrowType: sampleType(SAMPLES[2]!), nullable: false }));
    const columns = names.map((_, i) => buildColumn(fields[i]!.arrowType, [i, i + 1]));
    const ipc = new ColumnBatch(fields, columns).toIPC();
    const expected = names.map((name, i) => ({ name, type: fields[i]!.arrowType, nullable: false, typeOid: oid.INT4, typeName: 'int4', values: [i, i + 1] }));
    checkBoth(ipc, expected, 2);
  });

  it('same-named fields of different types are written as they are (flechette reads each right)', () => {
    const s = SAMPLES[12]!;
    const fields: ColumnField[] = [
      { name: 'id', typeOid: oid.INT4, arrowType: sampleType(SAMPLES[2]!), nullable: false },
      { name: 'id', typeOid: s.typeOid, arrowType: sampleType(s), nullable: true },
    ];
    const batch = new ColumnBatch(fields, [buildColumn(fields[0]!.arrowType, [7]), buildColumn(fields[1]!.arrowType, [null])]);
    checkFlechette(batch.toIPC(), [
      { name: 'id', type: fields[0]!.arrowType, nullable: false, typeOid: oid.INT4, typeName: 'int4', values: [7] },
      { name: 'id', type: fields[1]!.arrowType, nullable: true, typeOid: oid.TEXT, typeName: 'text', values: [null] },
    ], 1);
  });

  it('non-nullable fields are written non-nullable', () => {
    const s = SAMPLES[12]!;
    const batch = new ColumnBatch(
      [{ name: 'n', typeOid: s.typeOid, arrowType: sampleType(s), nullable: false }],
      [buildColumn(sampleType(s), ['a', 'b'])],
    );
    checkBoth(batch.toIPC(), [{ name: 'n', type: sampleType(s), nullable: false, typeOid: s.typeOid, typeName: 'text', values: ['a', 'b'] }], 2);
  });

  it('an unmapped type OID with an explicit Arrow type keeps pg.type_oid and a type modifier as pg.type_mod', () => {
    const enumOid = 16_385;
    const utf8: ArrowType = { typeId: 'Utf8' };
    const batch = new ColumnBatch(
      [
        { name: 'mood', typeOid: enumOid, arrowType: utf8, nullable: true },
        { name: 'price', typeOid: oid.NUMERIC, arrowType: utf8, nullable: true, typeModifier: (10 << 16) + 2 + 4 },
      ],
      [buildColumn(utf8, ['happy', null]), buildColumn(utf8, ['1.50', '2.25'])],
    );
    const ipc = batch.toIPC();
    const a = arrow.tableFromIPC(ipc);
    expect(a.schema.fields[0]!.metadata).toEqual(new Map([['pg.type_oid', '16385']]));
    const priceMeta = new Map([['pg.type_oid', '1700'], ['pg.type_name', 'numeric'], ['pg.type_mod', String((10 << 16) + 6)]]);
    expect(a.schema.fields[1]!.metadata).toEqual(priceMeta);
    expect(a.getChild('mood')!.toArray()).toEqual(['happy', null]);
    expect(flechette.tableFromIPC(ipc).schema.fields[1]!.metadata).toEqual(priceMeta);
  });

  it('100 000 rows of int8, float8, text and timestamptz with NULLs', () => {
    const n = 100_000;
    const ints: Cell[] = [];
    const floats: Cell[] = [];
    const texts: Cell[] = [];
    const stamps: Cell[] = [];
    for (let i = 0; i < n; i++) {
      ints.push(i % 7 === 0 ? null : BigInt(i) * 1_000_003n - 5n);
      floats.push(i % 11 === 0 ? null : i / 3);
      texts.push(i % 13 === 0 ? null : `row ${i} ${i % 2 === 0 ? 'é' : ''}`);
      stamps.push(i % 17 === 0 ? null : 1_700_000_000_000_000n + BigInt(i));
    }
    const samples: Sample[] = [
      { name: 'i', typeOid: oid.INT8, typeName: 'int8', values: ints },
      { name: 'f', typeOid: oid.FLOAT8, typeName: 'float8', values: floats },
      { name: 's', typeOid: oid.TEXT, typeName: 'text', values: texts },
      { name: 'tz', typeOid: oid.TIMESTAMPTZ, typeName: 'timestamptz', values: stamps },
    ];
    checkBoth(sampleBatch(samples).toIPC(), expectedOf(samples), n);
  });
});

describe('IPC stream framing', () => {
  it('continuation markers, 8-byte aligned metadata and body, and the end-of-stream marker', () => {
    const ipc = sampleBatch(SAMPLES).toIPC();
    const view = new DataView(ipc.buffer, ipc.byteOffset, ipc.byteLength);
    let pos = 0;
    const bodies: number[] = [];
    for (;;) {
      expect(view.getUint32(pos, true)).toBe(0xffffffff);
      const metaLength = view.getInt32(pos + 4, true);
      if (metaLength === 0) break;
      expect(metaLength % 8).toBe(0);
      // The body length is the Message table's bodyLength; read it with arrow-js's own message reader below.
      pos += 8 + metaLength;
      bodies.push(pos);
      const reader = new arrow.MessageReader(ipc.subarray(pos - 8 - metaLength));
      const message = reader.readMessage()!;
      expect(Number(message.bodyLength) % 8).toBe(0);
      pos += Number(message.bodyLength);
    }
    expect(pos + 8).toBe(ipc.length);
    expect(bodies).toHaveLength(2);
    expect(bodies.every((p) => p % 8 === 0)).toBe(true);
  });

  it('encodeIpcSchema + encodeIpcRecordBatch… + encodeIpcEndOfStream is the same stream as toIPCStream', () => {
    const a = sampleBatch(sliceSamples(SAMPLES, 0, 2));
    const b = sampleBatch(sliceSamples(SAMPLES, 2, 5));
    const pieces = [encodeIpcSchema(a.fields), encodeIpcRecordBatch(a), encodeIpcRecordBatch(b), encodeIpcEndOfStream()];
    const joined = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of pieces) {
      joined.set(p, at);
      at += p.length;
    }
    expect(joined).toEqual(ColumnBatch.toIPCStream([a, b]));
  });
});

describe('several batches', () => {
  const parts = [sliceSamples(SAMPLES, 0, 2), sliceSamples(SAMPLES, 2, 2), sliceSamples(SAMPLES, 2, 5)];

  it('ColumnBatch.toIPCStream: one schema, a RecordBatch per batch (an empty one included)', () => {
    const ipc = ColumnBatch.toIPCStream(parts.map((p) => sampleBatch(p)));
    const table = checkArrowJs(ipc, expectedOf(SAMPLES), 5);
    expect(table.batches.map((rb) => rb.numRows)).toEqual([2, 0, 3]);
    checkFlechette(ipc, expectedOf(SAMPLES), 5);
    expect([...arrow.RecordBatchReader.from(ipc)].map((rb) => rb.numRows)).toEqual([2, 0, 3]);
  });

  it('a stream of no batch, from the fields alone', () => {
    const fields = sampleBatch(SAMPLES).fields;
    const ipc = ColumnBatch.toIPCStream([], fields);
    checkBoth(ipc, expectedOf(sliceSamples(SAMPLES, 0, 0)), 0);
  });

  it('batches whose fields differ are refused', () => {
    const a = sampleBatch(sliceSamples(SAMPLES, 0, 2));
    const b = sampleBatch(sliceSamples(SAMPLES.slice(1), 0, 2));
    expect(() => ColumnBatch.toIPCStream([a, b])).toThrow(expect.objectContaining({ code: 'PGS_INVALID_ARGUMENT' }));
    expect(() => ColumnBatch.toIPCStream([])).toThrow(expect.objectContaining({ code: 'PGS_INVALID_ARGUMENT' }));
  });
});

describe('IPC file format', () => {
  const parts = [sliceSamples(SAMPLES, 0, 3), sliceSamples(SAMPLES, 3, 5)];

  it('ARROW1 magic at both ends, read by RecordBatchFileReader with one block per batch', () => {
    const file = ColumnBatch.toIPCFile(parts.map((p) => sampleBatch(p)));
    const magic = [...'ARROW1'].map((c) => c.charCodeAt(0));
    expect([...file.subarray(0, 6)]).toEqual(magic);
    expect([...file.subarray(6, 8)]).toEqual([0, 0]);
    expect([...file.subarray(file.length - 6)]).toEqual(magic);
    const reader = arrow.RecordBatchFileReader.from(file);
    reader.open();
    expect(reader.numRecordBatches).toBe(2);
    // Random access through the footer's blocks: the second batch first.
    const second = reader.readRecordBatch(1);
    const first = reader.readRecordBatch(0);
    expect(second).toBeInstanceOf(arrow.RecordBatch);
    expect(first).toBeInstanceOf(arrow.RecordBatch);
    expect((second as arrow.RecordBatch).numRows).toBe(2);
    expect((first as arrow.RecordBatch).numRows).toBe(3);
    expect((second as arrow.RecordBatch).getChild('txt')!.toArray()).toEqual(['日本語 🐘', null]);
    expect(reader.schema.fields.map((f) => f.name)).toEqual(SAMPLES.map((s) => s.name));
    expect(reader.schema.fields[0]!.metadata.get('pg.type_name')).toBe('bool');
  });

  it('tableFromIPC of the file gives every value back (arrow-js and flechette)', () => {
    const file = ColumnBatch.toIPCFile(parts.map((p) => sampleBatch(p)));
    checkBoth(file, expectedOf(SAMPLES), 5);
    checkBoth(sampleBatch(SAMPLES).toIPCFile(), expectedOf(SAMPLES), 5);
  });

  it('a file of no batch', () => {
    const file = ColumnBatch.toIPCFile([], sampleBatch(SAMPLES).fields);
    const reader = arrow.RecordBatchFileReader.from(file);
    reader.open();
    expect(reader.numRecordBatches).toBe(0);
    expect(reader.schema.fields).toHaveLength(SAMPLES.length);
  });
});
