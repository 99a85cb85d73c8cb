/**
 * A minimal, bounds-checked DER (X.690) reader: just enough of ASN.1 to find an X.509
 * certificate's signature algorithm for tls-server-end-point channel binding. Every malformed
 * input becomes `AuthError` PGS_CHANNEL_BINDING, never a RangeError.
 */
import { AuthError, ErrorCode } from '../errors.js';

/** Universal tag numbers and classes used by X.509 (X.690 §8.1.2). */
export const DerTag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  NULL: 0x05,
  OBJECT_IDENTIFIER: 0x06,
  SEQUENCE: 0x30,
  /** Context-specific, constructed, tag number 0: `[0] EXPLICIT`. */
  CONTEXT_0: 0xa0,
} as const;

/** One element: its identifier octet and where its contents lie in the buffer. */
export interface DerElement {
  readonly tag: number;
  /** First byte of the contents. */
  readonly start: number;
  /** One past the last byte of the contents (also where the next sibling starts). */
  readonly end: number;
}

const HIGH_TAG_NUMBER = 0x1f;
const LONG_LENGTH = 0x80;
const MAX_LENGTH_OCTETS = 4;

function malformed(what: string): AuthError {
  return new AuthError(ErrorCode.CHANNEL_BINDING, `could not parse the server certificate: ${what}`);
}

/** Reads the element starting at `offset`, which must end by `limit`. */
export function readElement(der: Uint8Array, offset: number, limit: number): DerElement {
  if (offset + 2 > limit) throw malformed('truncated element header');
  const tag = der[offset]!;
  if ((tag & HIGH_TAG_NUMBER) === HIGH_TAG_NUMBER) throw malformed('high tag numbers are not supported');
  let pos = offset + 1;
  const first = der[pos++]!;
  let length: number;
  if (first < LONG_LENGTH) {
    length = first;
  } else {
    const octets = first & ~LONG_LENGTH;
    if (octets === 0) throw malformed('indefinite length is not DER');
    if (octets > MAX_LENGTH_OCTETS) throw malformed('length too large');
    if (pos + octets > limit) throw malformed('truncated length');
    length = 0;
    // Non-minimal long-form lengths (a BER habit some CAs have) are tolerated, as OpenSSL does.
    for (let i = 0; i < octets; i++) length = length * 256 + der[pos++]!;
  }
  if (length > limit - pos) throw malformed('element longer than its container');
  return { tag, start: pos, end: pos + length };
}

/** Reads an element and checks its tag. */
export function expectElement(der: Uint8Array, offset: number, limit: number, tag: number, what: string): DerElement {
  const el = readElement(der, offset, limit);
  if (el.tag !== tag) throw malformed(`${what}: unexpected tag 0x${el.tag.toString(16)}`);
  return el;
}

/** The direct children of a constructed element, in order. */
export function children(der: Uint8Array, parent: DerElement): DerElement[] {
  const out: DerElement[] = [];
  for (let pos = parent.start; pos < parent.end; ) {
    const el = readElement(der, pos, parent.end);
    out.push(el);
    pos = el.end;
  }
  return out;
}

const BASE_128_CONTINUE = 0x80;
const FIRST_ARC_LIMIT = 80;
const MAX_SAFE_ARC = 2 ** 45;

/** The dotted form of an OBJECT IDENTIFIER's contents (X.690 §8.19), e.g. "1.2.840.113549.1.1.11". */
export function decodeOid(der: Uint8Array, el: DerElement): string {
  if (el.tag !== DerTag.OBJECT_IDENTIFIER) throw malformed('expected an OBJECT IDENTIFIER');
  if (el.start === el.end) throw malformed('empty OBJECT IDENTIFIER');
  const arcs: number[] = [];
  let value = 0;
  let fresh = true;
  for (let i = el.start; i < el.end; i++) {
    const b = der[i]!;
    if (fresh && b === BASE_128_CONTINUE) throw malformed('non-minimal OBJECT IDENTIFIER arc');
    value = value * 128 + (b & 0x7f);
    if (value > MAX_SAFE_ARC) throw malformed('OBJECT IDENTIFIER arc too large');
    fresh = (b & BASE_128_CONTINUE) === 0;
    if (fresh) {
      if (arcs.length === 0) {
        const first = value < FIRST_ARC_LIMIT ? Math.floor(value / 40) : 2;
        arcs.push(first, value - 40 * first);
      } else {
        arcs.push(value);
      }
      value = 0;
    }
  }
  if (!fresh) throw malformed('truncated OBJECT IDENTIFIER');
  return arcs.join('.');
}
