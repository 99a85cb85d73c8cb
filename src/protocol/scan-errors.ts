/**
 * What the core's statuses mean as errors: the one definition of the framing checks' messages,
 * shared by the WASM scan (assembly/framing.ts) and the JS slow path for DataRows larger than the
 * input region (src/protocol/backend/data-row.ts `indexDataRow`), so both report a violation alike.
 */
import { ErrorCode, PgStreamError, ProtocolError } from '../errors.js';
import { MessageCode } from './codes.js';
import { Status } from '../wasm/layout.js';

/** The length word counts itself. */
const LENGTH_WORD = 4;

/** PostgreSQL's name of a backend message type (`READY_FOR_QUERY` → `ReadyForQuery`). */
const names = new Map<number, string>(
  Object.entries(MessageCode).map(([key, code]) => [
    code,
    key.toLowerCase().replace(/(^|_)([a-z])/g, (_, _sep: string, c: string) => c.toUpperCase()),
  ]),
);

/** The name of backend message type `type`, or its hex code when unknown. */
export function backendTypeName(type: number): string {
  return names.get(type) ?? `message 0x${type.toString(16).padStart(2, '0')}`;
}

/**
 * The typed error for a framing status: `type` and `length` (the declared length, counting itself)
 * of the offending message, `detail` as the RESULT block gives it (the bound, or the field index).
 */
export function scanError(status: number, type: number, length: number, detail: number): PgStreamError {
  const name = backendTypeName(type);
  switch (status) {
    case Status.LENGTH_TOO_SHORT:
      return new ProtocolError(ErrorCode.FRAME_LENGTH_TOO_SHORT, `${name} declares length ${length}, below its minimum of ${detail}`);
    case Status.LENGTH_MISMATCH:
      return new ProtocolError(ErrorCode.FRAME_LENGTH_MISMATCH, `${name} must have length ${detail}, got ${length}`);
    case Status.TOO_LARGE:
      return new ProtocolError(ErrorCode.FRAME_TOO_LARGE, `${name} declares length ${length}, above its limit of ${detail}`);
    case Status.UNKNOWN_TYPE:
      return new ProtocolError(ErrorCode.UNKNOWN_MESSAGE, `unknown backend message type 0x${type.toString(16).padStart(2, '0')}`);
    case Status.FIELD_COUNT:
      return new ProtocolError(ErrorCode.MALFORMED_MESSAGE, `${name} promises ${detail} fields in a ${length - LENGTH_WORD}-byte body`);
    case Status.FIELD_LENGTH:
      return new ProtocolError(ErrorCode.MALFORMED_MESSAGE, `${name} field ${detail} has a negative length other than -1`);
    case Status.FIELD_OVERRUN:
      return new ProtocolError(ErrorCode.MALFORMED_MESSAGE, `${name} field ${detail} runs past the end of the message`);
    case Status.TRAILING_BYTES:
      return new ProtocolError(ErrorCode.MALFORMED_MESSAGE, `${name} has ${detail} bytes left over after its last field`);
  }
  return new ProtocolError(ErrorCode.WASM_FAULT, `the WebAssembly scanner returned the unexpected status ${status}`);
}
