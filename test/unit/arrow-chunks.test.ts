/**
 * encodeIpcStreamChunks / encodeIpcFileChunks: the same bytes as toIPCStream / toIPCFile, one chunk
 * per message, from sync and async sources; read by apache-arrow; a batch that does not fit the
 * schema stops the stream with a typed error.
 */
import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { ColumnBatch } from '../../src/types/arrow/batch.js';
import { encodeIpcFileChunks, encodeIpcStreamChunks } from '../../src/types/arrow/ipc-chunks.js';
import { checkBoth, expectedOf } from './arrow-check.js';
import { SAMPLES, sampleBatch, sliceSamples } from './arrow-samples.js';

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const c of chunks) out.push(c);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function* slowly(batches: readonly ColumnBatch[]): AsyncGenerator<ColumnBatch> {
  for (const b of batches) {
    await new Promise((resolve) => setTimeout(resolve, 1));
    yield b;
  }
}

const batches = (): ColumnBatch[] => [sliceSamples(SAMPLES, 0, 2), sliceSamples(SAMPLES, 2, 2), sliceSamples(SAMPLES, 2, 5)].map((p) => sampleBatch(p));

describe('IPC chunks', () => {
  it('the stream: schema, a chunk per batch, end of stream — the bytes of toIPCStream', async () => {
    const list = batches();
    const chunks = await collect(encodeIpcStreamChunks(slowly(list)));
    expect(chunks).toHaveLength(list.length + 2);
    expect(concat(chunks)).toEqual(ColumnBatch.toIPCStream(list));
    checkBoth(concat(chunks), expectedOf(SAMPLES), 5);
    // Each chunk on its own is a whole message: the reader takes them one by one.
    expect([...arrow.RecordBatchReader.from(concat(chunks))].map((b) => b.numRows)).toEqual([2, 0, 3]);
  });

  it('the file: the bytes of toIPCFile, read with random access', async () => {
    const list = batches();
    const file = concat(await collect(encodeIpcFileChunks(list)));
    expect(file).toEqual(ColumnBatch.toIPCFile(list));
    const reader = arrow.RecordBatchFileReader.from(file);
    reader.open();
    expect(reader.numRecordBatches).toBe(3);
    checkBoth(file, expectedOf(SAMPLES), 5);
  });

  it('no batch: the fields give the schema; without them it is an error', async () => {
    const fields = sampleBatch(SAMPLES).fields;
    expect(concat(await collect(encodeIpcStreamChunks([], fields)))).toEqual(ColumnBatch.toIPCStream([], fields));
    expect(concat(await collect(encodeIpcFileChunks([], fields)))).toEqual(ColumnBatch.toIPCFile([], fields));
    await expect(collect(encodeIpcStreamChunks([]))).rejects.toMatchObject({ code: 'PGS_INVALID_ARGUMENT' });
    await expect(collect(encodeIpcFileChunks([]))).rejects.toMatchObject({ code: 'PGS_INVALID_ARGUMENT' });
  });

  it('a batch of other fields stops the stream after the valid messages', async () => {
    const [a] = batches();
    const other = sampleBatch(sliceSamples(SAMPLES.slice(1), 0, 1));
    const seen: Uint8Array[] = [];
    const run = async (): Promise<void> => {
      for await (const c of encodeIpcStreamChunks([a!, other])) seen.push(c);
    };
    await expect(run()).rejects.toMatchObject({ code: 'PGS_INVALID_ARGUMENT' });
    expect(seen).toHaveLength(2);
    await expect(collect(encodeIpcFileChunks([a!, {} as ColumnBatch]))).rejects.toMatchObject({ code: 'PGS_INVALID_ARGUMENT' });
    await expect(collect(encodeIpcStreamChunks([{} as ColumnBatch]))).rejects.toMatchObject({ code: 'PGS_INVALID_ARGUMENT' });
    await expect(collect(encodeIpcFileChunks([null as unknown as ColumnBatch]))).rejects.toMatchObject({ code: 'PGS_INVALID_ARGUMENT' });
  });
});
