/**
 * Fuzzing the framer and every backend decoder (RELIABILITY.md, "Fuzzing targets"; cases 1–4, 6, 7,
 * 24): mutated server transcripts in random chunkings through BackendReader, mutated bodies through
 * decodeBackend. Targets: test/fuzz/targets/backend.ts.
 */
import { describe } from 'vitest';
import { backendDecoders, framer } from '../fuzz/targets/backend.js';
import { fuzzTests } from '../support/fuzz-run.js';

describe('fuzz: framer and backend decoders', () => {
  fuzzTests([framer, backendDecoders]);
});
