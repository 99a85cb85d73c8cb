/**
 * Fuzzing the SCRAM parsers and the authentication state machine under random message orders
 * (RELIABILITY.md, "Fuzzing targets" and "SCRAM"): typed errors only, the password in no error,
 * AuthenticationOk after SCRAM accepted only with the right server signature. Target:
 * test/fuzz/targets/auth.ts.
 */
import { describe } from 'vitest';
import { authExchange } from '../fuzz/targets/auth.js';
import { fuzzTests } from '../support/fuzz-run.js';

describe('fuzz: authentication', () => {
  fuzzTests([authExchange]);
});
