/**
 * Fuzzing the trace tool's capture readers: pcap, pcapng, raw streams and hex dumps (RELIABILITY.md,
 * "Fuzzing targets"). Targets: test/fuzz/targets/trace.ts (formerly unit/trace-property.test.ts).
 */
import { describe } from 'vitest';
import { traceCapture, traceHex, traceRaw } from '../fuzz/targets/trace.js';
import { fuzzTests } from '../support/fuzz-run.js';

describe('fuzz: trace tool readers', () => {
  fuzzTests([traceCapture, traceRaw, traceHex]);
});
