/**
 * A protocol tracer that prints both directions in libpq's PQtrace format (src/interfaces/libpq/
 * fe-trace.c, PostgreSQL 18), so traces can be compared line for line with libpq's:
 *
 *     [timestamp\t]F|B\t<length>\t<MessageName>[\t <field> <field> ...]
 *
 * Fields follow fe-trace.c: strings as `"text"`, byte strings as `'text'` with every byte outside
 * 0x20..0x7e written `\xNN`, Byte1 values as the character (or `\xNN`), Int32 as signed decimal and
 * Int16 as unsigned decimal (libpq reads Int16 through a uint16, so a type size of -1 prints 65535).
 * `<length>` is the message length field as on the wire (it counts itself, not the type byte).
 *
 * Options mirror libpq's trace flags: timestamps are OFF by default here (libpq's default is on;
 * `timestamps: true` gives its `YYYY-MM-DD HH:MM:SS.uuuuuu` local-time prefix), and `regress` is
 * PQTRACE_REGRESS_MODE (OIDs and process IDs print `NNNN`, the F/L/R error fields `"SSSS"`, the length
 * of ErrorResponse/NoticeResponse `NN`, and COPY/GSS/SASL payloads `'BBBB'`).
 *
 * Deliberate deviations from libpq (secrets never reach a trace, RELIABILITY.md):
 * - PasswordMessage prints `"SSSS"` instead of the password (or its MD5 hash);
 * - SASLInitialResponse, SASLResponse and GSSResponse print `'BBBB'` instead of their data (client
 *   nonces and proofs), always, not only in regress mode;
 * - the cancel key in BackendKeyData and CancelRequest always prints `NNNN` (3.2 keys too);
 * - AuthenticationKerberosV5 is named (libpq prints "Unknown authentication message 2"), and lines
 *   never carry libpq's "mismatched message length" diagnostics (AuthenticationMD5Password prints its
 *   name only, as in libpq, and the salt is not shown).
 */
import { ProtocolVersion, StartupCode } from './codes.js';
import type { BackendMessage, DataRowView, FrontendMessage } from './messages.js';

/** How lines are formatted (libpq's trace flags). */
export interface TraceOptions {
  /** Prefix every line with a local timestamp with microseconds, as libpq does by default. Default false. */
  readonly timestamps?: boolean;
  /** libpq's PQTRACE_REGRESS_MODE: mask values that vary between runs and servers. Default false. */
  readonly regress?: boolean;
  /** The clock for timestamps, in epoch milliseconds (fractions give microseconds). Default Date.now. */
  readonly now?: () => number;
}

const NNNN = ' NNNN';
const SSSS = ' "SSSS"';
const BBBB = " 'BBBB'";
const PRINTABLE_FIRST = 0x20;
const PRINTABLE_LAST = 0x7e;

const hex2 = (b: number): string => b.toString(16).padStart(2, '0');
const isPrint = (b: number): boolean => b >= PRINTABLE_FIRST && b <= PRINTABLE_LAST;
/** Int32 as libpq prints it: signed (an OID above 2^31 prints negative). */
const i32 = (v: number): string => ` ${v | 0}`;
/** Int16 as libpq prints it: unsigned. */
const i16 = (v: number): string => ` ${v & 0xffff}`;
/** A String field; unnamed statements and portals (null) are the empty string. */
const str = (s: string | null): string => ` "${s ?? ''}"`;
/** A Byte1 field. */
const byte1 = (b: number): string => (isPrint(b) ? ` ${String.fromCharCode(b)}` : ` \\x${hex2(b)}`);

/** A byte string (pqTraceOutputNchar): printable ASCII as is, everything else `\xNN`, in single quotes. */
function nchar(bytes: Uint8Array): string {
  let s = " '";
  for (const b of bytes) s += isPrint(b) ? String.fromCharCode(b) : `\\x${hex2(b)}`;
  return `${s}'`;
}

/** A length-prefixed value as in Bind, FunctionCall, DataRow and FunctionCallResponse (-1 = NULL). */
const value = (v: Uint8Array | null): string => (v === null ? i32(-1) : i32(v.length) + nchar(v));
/** An Int16 count followed by one Int16 per item (format codes). */
const formats = (list: readonly number[]): string => i16(list.length) + list.map(i16).join('');
/** An Int16 count followed by the values (Bind parameters, FunctionCall arguments). */
const values = (list: readonly (Uint8Array | null)[]): string => i16(list.length) + list.map(value).join('');
/** An Int32 that regress mode masks (OIDs, process IDs). */
const masked = (mask: boolean, v: number): string => (mask ? NNNN : i32(v));
/** An Int16 count followed by OIDs (Parse, ParameterDescription). */
const oids = (list: readonly number[], mask: boolean): string => i16(list.length) + list.map((oid) => masked(mask, oid)).join('');
/** An Int32 printed as two Int16 halves, as libpq prints protocol versions and request codes. */
const halves = (v: number): string => i16(v >>> 16) + i16(v);

/** `YYYY-MM-DD HH:MM:SS.uuuuuu` in local time, as pqTraceFormatTimestamp writes it. */
function timestamp(ms: number): string {
  const us = Math.round(ms * 1000);
  const d = new Date(Math.floor(us / 1000));
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const date = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
  return `${date} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(us - Math.floor(us / 1e6) * 1e6, 6)}`;
}

function line(direction: 'F' | 'B', length: string, body: string, options: TraceOptions): string {
  const prefix = options.timestamps ? `${timestamp((options.now ?? Date.now)())}\t` : '';
  return `${prefix}${direction}\t${length}\t${body}`;
}

function dataRow(row: DataRowView): string {
  let s = i16(row.fieldCount);
  for (let i = 0; i < row.fieldCount; i++) s += value(row.bytes(i));
  return s;
}

function noticeFields(fields: ReadonlyMap<string, string>, regress: boolean): string {
  let s = '';
  for (const [letter, text] of fields) {
    s += byte1(letter.charCodeAt(0));
    s += regress && (letter === 'F' || letter === 'L' || letter === 'R') ? SSSS : str(text);
  }
  return s + byte1(0);
}

/** The part of a backend line after the length: the message name and its fields. */
function backendBody(msg: BackendMessage, regress: boolean): string {
  const payload = (data: Uint8Array): string => (regress ? BBBB : nchar(data));
  switch (msg.type) {
    case 'AuthenticationOk':
    case 'AuthenticationKerberosV5':
    case 'AuthenticationCleartextPassword':
    case 'AuthenticationMD5Password':
    case 'AuthenticationGSS':
    case 'AuthenticationSSPI':
    case 'BindComplete':
    case 'CloseComplete':
    case 'CopyDone':
    case 'EmptyQueryResponse':
    case 'NoData':
    case 'ParseComplete':
    case 'PortalSuspended':
      return msg.type;
    case 'AuthenticationGSSContinue':
    case 'AuthenticationSASLContinue':
    case 'AuthenticationSASLFinal':
      return `${msg.type}\t${payload(msg.data)}`;
    case 'AuthenticationSASL':
      return `${msg.type}\t${msg.mechanisms.map(str).join('')}${str('')}`;
    case 'BackendKeyData':
      return `${msg.type}\t${masked(regress, msg.processId)}${NNNN}`;
    case 'CommandComplete':
      return `${msg.type}\t${str(msg.tag)}`;
    case 'CopyData':
      return `${msg.type}\t${payload(msg.data)}`;
    case 'CopyInResponse':
    case 'CopyOutResponse':
    case 'CopyBothResponse':
      return `${msg.type}\t${byte1(msg.format)}${formats(msg.columnFormats)}`;
    case 'DataRow':
      return `${msg.type}\t${dataRow(msg)}`;
    case 'ErrorResponse':
    case 'NoticeResponse':
      return `${msg.type}\t${noticeFields(msg.fields, regress)}`;
    case 'FunctionCallResponse':
      return `${msg.type}\t${value(msg.result)}`;
    case 'NegotiateProtocolVersion':
      return `${msg.type}\t${i32(ProtocolVersion.V3_0 + msg.newestMinor)}${i32(msg.unrecognized.length)}${msg.unrecognized.map(str).join('')}`;
    case 'NotificationResponse':
      return `${msg.type}\t${masked(regress, msg.processId)}${str(msg.channel)}${str(msg.payload)}`;
    case 'ParameterDescription':
      return `${msg.type}\t${oids(msg.typeOids, regress)}`;
    case 'ParameterStatus':
      return `${msg.type}\t${str(msg.name)}${str(msg.value)}`;
    case 'ReadyForQuery':
      return `${msg.type}\t${byte1(msg.status)}`;
    case 'RowDescription': {
      let s = i16(msg.fields.length);
      for (const f of msg.fields) {
        s += str(f.name) + masked(regress, f.tableOid) + i16(f.columnAttr) + masked(regress, f.typeOid);
        s += i16(f.typeSize) + i32(f.typeModifier) + i16(f.format);
      }
      return `${msg.type}\t${s}`;
    }
  }
}

/** The part of a frontend line after the length: the message name and its fields. */
function frontendBody(msg: FrontendMessage, regress: boolean): string {
  switch (msg.type) {
    case 'StartupMessage': {
      let s = halves(msg.protocol);
      for (const [k, v] of msg.parameters) s += str(k) + str(v);
      return `${msg.type}\t${s}`;
    }
    case 'SSLRequest':
      return `${msg.type}\t${halves(StartupCode.SSL_REQUEST)}`;
    case 'GSSENCRequest':
      return `${msg.type}\t${halves(StartupCode.GSSENC_REQUEST)}`;
    case 'CancelRequest':
      return `${msg.type}\t${halves(StartupCode.CANCEL_REQUEST)}${masked(regress, msg.processId)}${NNNN}`;
    case 'Query':
      return `${msg.type}\t${str(msg.sql)}`;
    case 'Parse':
      return `${msg.type}\t${str(msg.name)}${str(msg.sql)}${oids(msg.paramTypes, regress)}`;
    case 'Bind':
      return `${msg.type}\t${str(msg.portal)}${str(msg.statement)}${formats(msg.paramFormats)}${values(msg.params)}${formats(msg.resultFormats)}`;
    case 'Describe':
    case 'Close':
      return `${msg.type}\t${byte1(msg.target)}${str(msg.name)}`;
    case 'Execute':
      return `${msg.type}\t${str(msg.portal)}${i32(msg.maxRows)}`;
    case 'Sync':
    case 'Flush':
    case 'Terminate':
    case 'CopyDone':
      return msg.type;
    case 'FunctionCall':
      return `${msg.type}\t${masked(regress, msg.oid)}${formats(msg.argFormats)}${values(msg.args)}${i16(msg.resultFormat)}`;
    case 'CopyData':
      return `${msg.type}\t${regress ? BBBB : nchar(msg.data)}`;
    case 'CopyFail':
      return `${msg.type}\t${str(msg.message)}`;
    case 'PasswordMessage':
      return `${msg.type}\t${SSSS}`;
    case 'SASLInitialResponse':
      return `${msg.type}\t${str(msg.mechanism)}${msg.data === null ? i32(-1) : i32(msg.data.length) + BBBB}`;
    case 'SASLResponse':
    case 'GSSResponse':
      return `${msg.type}\t${BBBB}`;
  }
}

/** One trace line (without a newline) for a message received from the server. */
export function traceBackend(msg: BackendMessage, length: number, options: TraceOptions = {}): string {
  const regress = options.regress === true;
  const maskLength = regress && (msg.type === 'ErrorResponse' || msg.type === 'NoticeResponse');
  return line('B', maskLength ? 'NN' : String(length), backendBody(msg, regress), options);
}

/** One trace line (without a newline) for a message sent to the server; secrets are redacted. */
export function traceFrontend(msg: FrontendMessage, length: number, options: TraceOptions = {}): string {
  return line('F', String(length), frontendBody(msg, options.regress === true), options);
}

/** The line for the one-byte answer to SSLRequest or GSSENCRequest (pqTraceOutputCharResponse). */
export function traceCharResponse(responseType: 'SSLResponse' | 'GSSENCResponse', response: number, options: TraceOptions = {}): string {
  return line('B', '1', `${responseType}\t ${String.fromCharCode(response)}`, options);
}

/** Traces a session to a sink, one line per message in either direction (what PQtrace does). */
export class Tracer {
  constructor(
    private readonly sink: (line: string) => void,
    private readonly options: TraceOptions = {},
  ) {}

  /** Traces a message received from the server; `length` is its length field. */
  backend(msg: BackendMessage, length: number): void {
    this.sink(traceBackend(msg, length, this.options));
  }

  /** Traces a message sent to the server; `length` is its length field. */
  frontend(msg: FrontendMessage, length: number): void {
    this.sink(traceFrontend(msg, length, this.options));
  }

  /** Traces the server's one-byte answer to SSLRequest or GSSENCRequest. */
  charResponse(responseType: 'SSLResponse' | 'GSSENCResponse', response: number): void {
    this.sink(traceCharResponse(responseType, response, this.options));
  }
}
