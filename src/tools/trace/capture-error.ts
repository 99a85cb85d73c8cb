/**
 * The trace tool's typed error: a capture, dump or byte stream it cannot read. Codes (src/errors.ts):
 * - `PGS_CAPTURE_INVALID`: not a capture/dump this tool reads, or a header or block that breaks its format;
 * - `PGS_CAPTURE_TRUNCATED`: the file or a stream stops inside a record or a message;
 * - `PGS_CAPTURE_UNSUPPORTED`: a valid capture using something not decoded here (a link type);
 * - `PGS_CAPTURE_ENCRYPTED`: the session switched to TLS or GSSAPI encryption;
 * - `PGS_CAPTURE_NO_SESSION`: nothing in the capture looks like a PostgreSQL session.
 * A stream that does not decode keeps the codec's own error code (e.g. `PGS_UNKNOWN_MESSAGE`),
 * rethrown with the direction and byte offset in its message.
 */
import { ErrorCode, PgStreamError, type PgStreamErrorOptions } from '../../errors.js';

/** A capture, dump or byte stream the trace tool cannot read; never fatal to anything but the trace. */
export class CaptureError extends PgStreamError {
  constructor(code: ErrorCode, message: string, options?: PgStreamErrorOptions) {
    super(code, message, false, options);
  }
}

/** `PGS_CAPTURE_INVALID` with `message`. */
export function invalidCapture(message: string): CaptureError {
  return new CaptureError(ErrorCode.CAPTURE_INVALID, message);
}

/** `PGS_CAPTURE_TRUNCATED` with `message`. */
export function truncatedCapture(message: string): CaptureError {
  return new CaptureError(ErrorCode.CAPTURE_TRUNCATED, message);
}
