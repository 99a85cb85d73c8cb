/**
 * Fuzzing the connection state machine with random valid messages in random orders (RELIABILITY.md,
 * "Fuzzing targets"; case 5). Target: test/fuzz/targets/session.ts.
 */
import { describe } from 'vitest';
import { sessionState } from '../fuzz/targets/session.js';
import { fuzzTests } from '../support/fuzz-run.js';

describe('fuzz: session state', () => {
  fuzzTests([sessionState]);
});
