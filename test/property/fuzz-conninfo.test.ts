/**
 * Fuzzing the connection-string parser and the password file (RELIABILITY.md, "Fuzzing targets":
 * never echoing a password). Targets: test/fuzz/targets/conninfo.ts; the grammar properties stay in
 * test/property/conninfo.test.ts.
 */
import { describe } from 'vitest';
import { conninfoStrings, passfile } from '../fuzz/targets/conninfo.js';
import { fuzzTests } from '../support/fuzz-run.js';

describe('fuzz: connection strings and the password file', () => {
  fuzzTests([conninfoStrings, passfile]);
});
