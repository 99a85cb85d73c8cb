/**
 * A batch without NULLs keeps its validity buffer for the next batch: the next batch's bitmaps must
 * not inherit its bits. Regression: a block that started on a byte boundary ORed its first validity
 * byte into the reused buffer, so rows of a later batch read as valid (nullCount and bitmap disagreed).
 */
import { describe, expect, it } from 'vitest';
import { BackendReader } from '../../src/protocol/backend-reader.js';
import { FormatCode } from '../../src/protocol/codes.js';
import { ColumnBatchBuilder } from '../../src/types/arrow/column-builder.js';
import { ColumnKind } from '../../src/wasm/layout.js';
import { concat } from '../fixtures/bytes.js';
import { dataRow } from '../fixtures/backend-bytes.js';

describe('validity bitmaps across batches', () => {
  it('a batch after one without NULLs counts its NULLs as its bitmap does', () => {
    for (const pad of [10, 100, 280, 1000]) {
      // 700 NULLs, 2,100 values, 1,400 NULLs; a padding column sets how many rows a block holds.
      const rows = Array.from({ length: 4200 }, (_, i) => [new Uint8Array(pad), i < 700 || i >= 2800 ? null : new Uint8Array(16).fill(7)]);
      const all = concat(...rows.map((r) => dataRow(r)));
      const reader = new BackendReader();
      const builder = new ColumnBatchBuilder([{ kind: ColumnKind.BYTEA, format: FormatCode.Binary }, { kind: ColumnKind.UUID, format: FormatCode.Binary }], { batchRows: 1000 });
      for (let off = 0; off < all.length; ) {
        off += reader.push(all.subarray(off, off + 8192));
        for (let block; (block = reader.nextRows()) !== null; ) builder.appendRows(block);
      }
      builder.finish();
      const seen: number[] = [];
      for (let b = builder.takeBatch(); b !== null; b = builder.takeBatch()) {
        const c = b[1]!;
        let nulls = 0;
        for (let i = 0; i < c.length; i++) if (c.validity !== null && ((c.validity[i >> 3]! >> (i & 7)) & 1) === 0) nulls++;
        expect(nulls).toBe(c.nullCount);
        seen.push(nulls);
      }
      expect(seen).toEqual([700, 0, 200, 1000, 200]);
    }
  });
});
