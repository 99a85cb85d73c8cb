/**
 * Fuzzing the columnar decoders in WASM (DataRows in text and binary through ColumnBatchBuilder)
 * and the COPY BINARY scanner (RELIABILITY.md, "Fuzzing targets"; cases 4, 6, 8, 26). Targets:
 * test/fuzz/targets/columns.ts.
 */
import { describe } from 'vitest';
import { columnsDataRows, copyBinary } from '../fuzz/targets/columns.js';
import { fuzzTests } from '../support/fuzz-run.js';

describe('fuzz: columnar decoders and COPY BINARY', () => {
  fuzzTests([columnsDataRows, copyBinary]);
});
