/**
 * The session decoding of the trace tool: the encryption negotiation (SSLRequest and GSSENCRequest
 * answered N, S, G or with an ErrorResponse; direct TLS), CancelRequest sessions, the `p` message
 * kinds the server's Authentication requests decide, streams that do not decode, regress mode, and
 * raw byte streams interleaved by protocol turns.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { collectTrace, noSessionError, scanCapture, traceCaptureSession, traceStreams } from '../../src/tools/trace/index.js';
import {
  authenticationCleartextPassword,
  authenticationGSS,
  authenticationGSSContinue,
  authenticationMD5Password,
  authenticationOk,
  backendKeyData,
  copyData,
  copyOutResponse,
  errorResponse,
  readyForQuery,
} from '../fixtures/backend-bytes.js';
import { concat } from '../fixtures/bytes.js';
import { Conversation, frame, LINK_ETHERNET, writePcap } from '../fixtures/capture-writer.js';
import {
  fxCancelRequest,
  fxGSSENCRequest,
  fxGSSResponse,
  fxPasswordMessage,
  fxQuery,
  fxSSLRequest,
  fxStartupMessage,
  fxTerminate,
  V3_0,
} from '../fixtures/frontend-bytes.js';
import { canonicalLines, canonicalSession, STEP_US, T0_US } from '../fixtures/pg-session.js';

const CLIENT = { address: '192.0.2.10', port: 51234 };
const SERVER = { address: '192.0.2.1', port: 5432 };
const TLS_CLIENT_HELLO = Uint8Array.of(0x16, 0x03, 0x01, 0x00, 0x2f, 0x01, 0x00, 0x00, 0x2b, 0x03, 0x03, ...new Array(40).fill(7));
const TLS_SERVER_HELLO = Uint8Array.of(0x16, 0x03, 0x03, 0x00, 0x2a, 0x02, 0x00, 0x00, 0x26, 0x03, 0x03, ...new Array(38).fill(9));
const byte = (c: string): Uint8Array => Uint8Array.of(c.charCodeAt(0));

const SSL_REQUEST_LINE = 'F\t8\tSSLRequest\t 1234 5679';
const GSSENC_REQUEST_LINE = 'F\t8\tGSSENCRequest\t 1234 5680';

function pcapOf(...convs: Conversation[]): Uint8Array {
  const segs = convs.flatMap((c) => c.segments.map((seg) => ({ c, seg })));
  return writePcap({ linkType: LINK_ETHERNET }, segs.map(({ c, seg }, i) => ({ ts: T0_US + BigInt(i) * STEP_US, data: frame(LINK_ETHERNET, c.ip(seg)) })));
}

/** A conversation whose messages are `[side, bytes]`, one segment each, after a handshake. */
function conversation(steps: [('client' | 'server'), Uint8Array][], client = CLIENT, server = SERVER): Conversation {
  const c = new Conversation(client, server).handshake();
  for (const [side, bytes] of steps) c.send(side, bytes);
  return c.close();
}

const canonicalSteps = (): [('client' | 'server'), Uint8Array][] => canonicalSession().map((s) => [s.side, s.bytes]);

function traceOne(file: Uint8Array, options: { regress?: boolean; port?: number } = {}): ReturnType<typeof collectTrace> {
  const scan = scanCapture(file, { port: options.port });
  expect(scan.sessions).toHaveLength(1);
  return collectTrace(traceCaptureSession(scan.sessions[0]!, { timestamps: false, regress: options.regress }));
}

describe('encryption negotiation', () => {
  it('SSLRequest answered N: both traced as libpq does, then the plaintext session', () => {
    const r = traceOne(pcapOf(conversation([['client', fxSSLRequest()], ['server', byte('N')], ...canonicalSteps()])));
    expect(r.error).toBeNull();
    expect(r.lines).toEqual([SSL_REQUEST_LINE, 'B\t1\tSSLResponse\t N', ...canonicalLines()]);
  });

  it('SSLRequest answered S: the two lines, then PGS_CAPTURE_ENCRYPTED (no garbage from the TLS bytes)', () => {
    const r = traceOne(pcapOf(conversation([['client', fxSSLRequest()], ['server', byte('S')], ['client', TLS_CLIENT_HELLO], ['server', TLS_SERVER_HELLO]])));
    expect(r.lines).toEqual([SSL_REQUEST_LINE, 'B\t1\tSSLResponse\t S']);
    expect(r.error?.code).toBe(ErrorCode.CAPTURE_ENCRYPTED);
    expect(r.error?.message).toBe('the session is TLS-encrypted; capture before TLS or use sslmode=disable');
  });

  it('GSSENCRequest answered N, then SSLRequest answered N (gssencmode=prefer), then the session', () => {
    const r = traceOne(pcapOf(conversation([['client', fxGSSENCRequest()], ['server', byte('N')], ['client', fxSSLRequest()], ['server', byte('N')], ...canonicalSteps()])));
    expect(r.error).toBeNull();
    expect(r.lines).toEqual([GSSENC_REQUEST_LINE, 'B\t1\tGSSENCResponse\t N', SSL_REQUEST_LINE, 'B\t1\tSSLResponse\t N', ...canonicalLines()]);
  });

  it('GSSENCRequest answered G: PGS_CAPTURE_ENCRYPTED for GSSAPI', () => {
    const r = traceOne(pcapOf(conversation([['client', fxGSSENCRequest()], ['server', byte('G')], ['client', Uint8Array.of(0, 0, 0, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9)]])));
    expect(r.lines).toEqual([GSSENC_REQUEST_LINE, 'B\t1\tGSSENCResponse\t G']);
    expect(r.error?.code).toBe(ErrorCode.CAPTURE_ENCRYPTED);
    expect(r.error?.message).toBe('the session is GSSAPI-encrypted; capture before encryption or use gssencmode=disable');
  });

  it('SSLRequest answered with an ErrorResponse: the error is a message, not an answer byte', () => {
    const error = errorResponse([['S', 'FATAL'], ['C', '53300'], ['M', 'sorry, too many clients already']]);
    const r = traceOne(pcapOf(conversation([['client', fxSSLRequest()], ['server', error]])));
    expect(r.error).toBeNull();
    expect(r.lines).toEqual([SSL_REQUEST_LINE, 'B\t52\tErrorResponse\t S "FATAL" C "53300" M "sorry, too many clients already" \\x00']);
  });

  it('an answer byte that is none of S, N, G or E is refused', () => {
    const r = traceOne(pcapOf(conversation([['client', fxSSLRequest()], ['server', byte('X')]])));
    expect(r.lines).toEqual([SSL_REQUEST_LINE]);
    expect(r.error?.code).toBe(ErrorCode.TLS_INVALID_RESPONSE);
    expect(r.error?.message).toMatch(/backend stream at byte offset 0: 0x58 is not an answer to SSLRequest/);
  });

  it('direct TLS (sslnegotiation=direct): not recognised on its own, PGS_CAPTURE_ENCRYPTED with the server port', () => {
    const file = pcapOf(conversation([['client', TLS_CLIENT_HELLO], ['server', TLS_SERVER_HELLO]]));
    const scan = scanCapture(file);
    expect(scan.sessions).toEqual([]);
    expect(scan.tlsConnections).toBe(1);
    expect(noSessionError(scan).message).toMatch(/1 connections start with a TLS handshake \(direct TLS hides a session\)/);
    const r = traceOne(file, { port: 5432 });
    expect(r.lines).toEqual([]);
    expect(r.error?.code).toBe(ErrorCode.CAPTURE_ENCRYPTED);
    expect(r.error?.message).toMatch(/^the session is TLS-encrypted; capture before TLS or use sslmode=disable \(the client starts a TLS handshake at byte offset 0\)$/);
  });
});

describe('sessions and their messages', () => {
  it('a CancelRequest travels on its own connection: a session of one line', () => {
    const main = conversation(canonicalSteps());
    const cancel = conversation([['client', fxCancelRequest(4242, Uint8Array.of(1, 2, 3, 4))]], { address: '192.0.2.10', port: 51240 });
    const scan = scanCapture(pcapOf(main, cancel));
    expect(scan.sessions).toHaveLength(2);
    expect(collectTrace(traceCaptureSession(scan.sessions[1]!, { timestamps: false })).lines).toEqual(['F\t16\tCancelRequest\t 1234 5678 4242 NNNN']);
  });

  it('cleartext and MD5 passwords are PasswordMessage (redacted); GSS exchanges are GSSResponse', () => {
    const startup = fxStartupMessage(V3_0, [['user', 'u']]);
    const cleartext = traceOne(pcapOf(conversation([['client', startup], ['server', authenticationCleartextPassword()], ['client', fxPasswordMessage('secret')], ['server', authenticationOk()]])));
    expect(cleartext.lines.slice(1)).toEqual(['B\t8\tAuthenticationCleartextPassword', 'F\t11\tPasswordMessage\t "SSSS"', 'B\t8\tAuthenticationOk']);
    const md5 = traceOne(pcapOf(conversation([['client', startup], ['server', authenticationMD5Password([1, 2, 3, 4])], ['client', fxPasswordMessage('md5' + 'a'.repeat(32))], ['server', authenticationOk()]])));
    expect(md5.lines.slice(1)).toEqual(['B\t12\tAuthenticationMD5Password', 'F\t40\tPasswordMessage\t "SSSS"', 'B\t8\tAuthenticationOk']);
    const gss = traceOne(pcapOf(conversation([
      ['client', startup], ['server', authenticationGSS()], ['client', fxGSSResponse(Uint8Array.of(1, 2, 3))],
      ['server', authenticationGSSContinue(Uint8Array.of(4, 5))], ['client', fxGSSResponse(Uint8Array.of(6))], ['server', authenticationOk()],
    ])));
    expect(gss.lines.slice(1)).toEqual(["B\t8\tAuthenticationGSS", "F\t7\tGSSResponse\t 'BBBB'", "B\t10\tAuthenticationGSSContinue\t '\\x04\\x05'", "F\t5\tGSSResponse\t 'BBBB'", 'B\t8\tAuthenticationOk']);
    expect([cleartext.error, md5.error, gss.error]).toEqual([null, null, null]);
  });

  it('a backend stream that does not decode: the lines before, then the codec\'s code with the offset', () => {
    const r = traceOne(pcapOf(conversation([['client', fxStartupMessage(V3_0, [['user', 'u']])], ['server', concat(authenticationOk(), readyForQuery('I'))], ['server', Uint8Array.of(0x01, 0, 0, 0, 4)]])));
    expect(r.lines).toHaveLength(3);
    expect(r.error?.code).toBe(ErrorCode.UNKNOWN_MESSAGE);
    expect(r.error?.message).toBe('backend stream, message at byte offset 15: unknown backend message type 0x01');
  });

  it('a frontend stream that does not decode', () => {
    const r = traceOne(pcapOf(conversation([['client', fxStartupMessage(V3_0, [['user', 'u']])], ['server', authenticationOk()], ['client', Uint8Array.of(0x7a, 0, 0, 0, 4)]])));
    expect(r.lines).toHaveLength(2);
    expect(r.error?.code).toBe(ErrorCode.UNKNOWN_MESSAGE);
    expect(r.error?.message).toMatch(/^frontend stream, message at byte offset 16: unknown frontend message type/);
  });

  it('regress mode masks process IDs, cancel keys, error lengths and payloads', () => {
    const r = traceOne(pcapOf(conversation([
      ['client', fxStartupMessage(V3_0, [['user', 'u']])],
      ['server', concat(authenticationOk(), backendKeyData(4242, Uint8Array.of(1, 2, 3, 4)), readyForQuery('I'))],
      ['client', fxQuery('COPY t TO STDOUT')],
      ['server', concat(copyOutResponse(0, [0]), copyData(new TextEncoder().encode('1\n')), errorResponse([['S', 'ERROR'], ['F', 'copy.c'], ['L', '12'], ['M', 'boom']]), readyForQuery('I'))],
      ['client', fxTerminate()],
    ])), { regress: true });
    expect(r.lines).toEqual([
      'F\t16\tStartupMessage\t 3 0 "user" "u"',
      'B\t8\tAuthenticationOk',
      'B\t12\tBackendKeyData\t NNNN NNNN',
      'B\t5\tReadyForQuery\t I',
      'F\t21\tQuery\t "COPY t TO STDOUT"',
      'B\t9\tCopyOutResponse\t \\x00 1 0',
      "B\t6\tCopyData\t 'BBBB'",
      'B\tNN\tErrorResponse\t S "ERROR" F "SSSS" L "SSSS" M "boom" \\x00',
      'B\t5\tReadyForQuery\t I',
      'F\t4\tTerminate',
    ]);
  });
});

describe('raw byte streams', () => {
  const side = (which: 'client' | 'server'): Uint8Array => concat(...canonicalSession().filter((s) => s.side === which).map((s) => s.bytes));

  it('interleaves the two directions by protocol turns', () => {
    const r = collectTrace(traceStreams(side('client'), side('server')));
    expect(r.error).toBeNull();
    // With no times, the NotificationResponse the server sent while idle comes after the client's next turn.
    const lines = canonicalLines();
    expect(r.lines).toEqual([...lines.slice(0, -2), lines[lines.length - 1], lines[lines.length - 2]]);
  });

  it('takes one direction alone, and a frontend stream that starts after the startup phase', () => {
    expect(collectTrace(traceStreams(side('client'), null)).lines).toEqual(canonicalSession().filter((s) => s.side === 'client').map((s) => s.line));
    expect(collectTrace(traceStreams(null, side('server'))).lines).toEqual(canonicalSession().filter((s) => s.side === 'server').map((s) => s.line));
    const fromQuery = concat(...canonicalSession().slice(10).filter((s) => s.side === 'client').map((s) => s.bytes));
    expect(collectTrace(traceStreams(fromQuery, null)).lines).toEqual(canonicalSession().slice(10).filter((s) => s.side === 'client').map((s) => s.line));
  });

  it('without the server, a `p` message is told by its body: password, SASL, or GSS', () => {
    const startup = fxStartupMessage(V3_0, [['user', 'u']]);
    expect(collectTrace(traceStreams(concat(startup, fxPasswordMessage('secret')), null)).lines[1]).toBe('F\t11\tPasswordMessage\t "SSSS"');
    expect(collectTrace(traceStreams(concat(startup, fxGSSResponse(Uint8Array.of(0x60, 0, 1, 2))), null)).lines[1]).toBe("F\t8\tGSSResponse\t 'BBBB'");
  });

  it('reads the SSL negotiation from raw streams, and reports a cut-short stream', () => {
    const r = collectTrace(traceStreams(concat(fxSSLRequest(), side('client')), concat(byte('N'), side('server'))));
    expect(r.lines.slice(0, 3)).toEqual([SSL_REQUEST_LINE, 'B\t1\tSSLResponse\t N', canonicalLines()[0]]);
    const cut = collectTrace(traceStreams(side('client').subarray(0, 40), null));
    expect(cut.lines).toEqual([canonicalLines()[0]]);
    expect(cut.error?.code).toBe(ErrorCode.CAPTURE_TRUNCATED);
    expect(cut.error?.message).toBe("the frontend stream ends inside a 'p' message of declared length 33 at byte offset 32 (8 bytes present)");
  });
});
