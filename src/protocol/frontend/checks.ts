/**
 * Range checks shared by the frontend encoders. Every outbound count, OID, format code and row
 * limit goes through one of these before it is written (RELIABILITY.md: outbound length overflow),
 * so a value the wire cannot carry becomes a `ClientError` instead of a silently wrapped number.
 */
import { ClientError, ErrorCode } from '../../errors.js';
import { FormatCode, Limits, TargetKind } from '../codes.js';

/** Largest Int32: the ceiling of Execute's row limit and of every length word. */
export const MAX_INT32 = 0x7fff_ffff;

/** Largest UInt32: OIDs are unsigned 32-bit (postgres_ext.h). */
export const MAX_UINT32 = 0xffff_ffff;

/** The length word of an SQL NULL in Bind, FunctionCall and DataRow. */
export const NULL_LENGTH = -1;

/** A `PGS_INVALID_ARGUMENT` client error. */
export function invalidArgument(message: string, cause?: unknown): ClientError {
  return new ClientError(ErrorCode.INVALID_ARGUMENT, message, cause === undefined ? undefined : { cause });
}

/** A `PGS_MESSAGE_TOO_LARGE` client error: the message would pass PostgreSQL's 1 GiB limit. */
export function messageTooLarge(what: string): ClientError {
  return new ClientError(ErrorCode.MESSAGE_TOO_LARGE, `${what} would exceed the 1 GiB protocol limit`);
}

/** Counts are UInt16 on the wire: more than 65535 items is `PGS_TOO_MANY_PARAMETERS`. */
export function checkCount(n: number, what: string): void {
  if (n > Limits.MAX_PARAMETERS) {
    throw new ClientError(ErrorCode.TOO_MANY_PARAMETERS, `${n} ${what} exceed the protocol limit of ${Limits.MAX_PARAMETERS}`);
  }
}

/** OIDs are UInt32; anything else is refused rather than wrapped. */
export function checkOid(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > MAX_UINT32) {
    throw invalidArgument(`${what} must be an OID (an integer from 0 to ${MAX_UINT32}), got ${String(v)}`);
  }
  return v;
}

/** Format codes are 0 (text) or 1 (binary); PostgreSQL rejects every other value. */
export function checkFormat(f: number, what: string): FormatCode {
  if (f !== FormatCode.Text && f !== FormatCode.Binary) {
    throw invalidArgument(`${what} must be FormatCode.Text (0) or FormatCode.Binary (1), got ${String(f)}`);
  }
  return f;
}

/** Describe and Close target a prepared statement (`S`) or a portal (`P`), nothing else. */
export function checkTarget(t: number, what: string): TargetKind {
  if (!isTarget(t)) {
    throw invalidArgument(`${what} target must be TargetKind.STATEMENT or TargetKind.PORTAL, got ${String(t)}`);
  }
  return t;
}

/** True for `S` (statement) and `P` (portal), the only targets of Describe and Close. */
export function isTarget(t: number): t is TargetKind {
  return t === TargetKind.STATEMENT || t === TargetKind.PORTAL;
}

/** Unnamed statements and portals are `null` in the API and the empty string on the wire. */
export function wireName(name: string | null | undefined): string {
  return name ?? '';
}

/** The API form of a decoded statement or portal name: the empty string means unnamed (`null`). */
export function apiName(name: string): string | null {
  return name === '' ? null : name;
}
