/**
 * Fuzzing the trace tool's capture readers: pcap, pcapng, raw streams and hex dumps (RELIABILITY.md,
 * "Fuzzing targets"). Targets: test/fuzz/targets/trace.ts (formerly unit/trace-property.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { collectTrace, traceStreams } from '../../src/tools/trace/index.js';
import { authenticationKerberosV5 } from '../fixtures/backend-bytes.js';
import { traceCapture, traceHex, traceRaw } from '../fuzz/targets/trace.js';
import { fuzzTests } from '../support/fuzz-run.js';

describe('fuzz: trace tool readers', () => {
  fuzzTests([traceCapture, traceRaw, traceHex]);
});

describe('fuzz findings, replayed', () => {
  // npm run fuzz (20 min, base seed 348359584), trace-raw seed 359359617 path 268:0:0:0: the
  // target's line check took message names for letters only; AuthenticationKerberosV5 is a valid
  // PQtrace name (the check was wrong, not the tool).
  it('trace-raw: a server stream with AuthenticationKerberosV5 gives its PQtrace line', () => {
    const server = authenticationKerberosV5();
    expect(traceRaw.run([new Uint8Array(0), server, false])).toBe('ok');
    expect(collectTrace(traceStreams(new Uint8Array(0), server)).lines).toEqual(['B\t8\tAuthenticationKerberosV5']);
  });
});
