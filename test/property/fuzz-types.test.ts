/**
 * Fuzzing the value decoders of every built-in type, text and binary (test/fuzz/targets/types.ts):
 * a value or PGS_INVALID_VALUE / PGS_VALUE_OUT_OF_RANGE, never another exception, never a read
 * outside the field. Every type reaches a value, and every type but text/name (bytea in binary)
 * reaches an error.
 */
import { describe } from 'vitest';
import { typesBinary, typesText } from '../fuzz/targets/types.js';
import { fuzzTests } from '../support/fuzz-run.js';

describe('fuzz: value decoders', () => {
  fuzzTests([typesText, typesBinary]);
});
