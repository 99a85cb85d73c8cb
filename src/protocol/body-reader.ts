/**
 * BodyReader: a bounds-checked cursor over one message body, used by every decoder.
 *
 * Every read checks what remains first, so a body that runs past its length, a C string without its
 * NUL, or a count that promises more than the body holds becomes a `ProtocolError`
 * (`PGS_MALFORMED_MESSAGE`) — never an out-of-bounds read, never a RangeError from DataView.
 * `end()` rejects bytes left over after the last field.
 */
import { ErrorCode, ProtocolError } from '../errors.js';
import { decodeUtf8 } from './text.js';

/** A cursor over a message body. */
export class BodyReader {
  /** Offset of the next unread byte within `body`. */
  pos = 0;
  private readonly view: DataView;

  constructor(
    readonly body: Uint8Array,
    /** Message name used in error messages (PostgreSQL's name, e.g. `RowDescription`). */
    readonly message: string,
  ) {
    this.view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  }

  /** Bytes not yet read. */
  get remaining(): number {
    return this.body.length - this.pos;
  }

  /** Throws unless `n` more bytes are available. */
  need(n: number): void {
    if (n < 0 || this.pos + n > this.body.length) {
      throw this.malformed(`needs ${n} more bytes, ${this.remaining} remain`);
    }
  }

  u8(): number {
    this.need(1);
    return this.body[this.pos++]!;
  }

  i16(): number {
    this.need(2);
    const v = this.view.getInt16(this.pos);
    this.pos += 2;
    return v;
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }

  i32(): number {
    this.need(4);
    const v = this.view.getInt32(this.pos);
    this.pos += 4;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  /** A view of the next `n` bytes (no copy). */
  bytes(n: number): Uint8Array {
    this.need(n);
    const b = this.body.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /** Everything that remains, as a view. */
  rest(): Uint8Array {
    const b = this.body.subarray(this.pos);
    this.pos = this.body.length;
    return b;
  }

  /** A NUL-terminated string, decoded as UTF-8 (invalid sequences become U+FFFD). */
  cstring(): string {
    const end = this.body.indexOf(0, this.pos);
    if (end === -1) throw this.malformed('has a string without its NUL terminator');
    const s = decodeUtf8(this.body, this.pos, end);
    this.pos = end + 1;
    return s;
  }

  /**
   * Checks that a count of `count` items of at least `minItemSize` bytes each can fit in what
   * remains, before anything is allocated for them (65535 columns in a 10-byte body is an error).
   */
  count(count: number, minItemSize: number): number {
    if (count < 0 || count * minItemSize > this.remaining) {
      throw this.malformed(`promises ${count} items but only ${this.remaining} bytes remain`);
    }
    return count;
  }

  /** Throws if bytes are left over after the last field. */
  end(): void {
    if (this.pos !== this.body.length) {
      throw this.malformed(`has ${this.remaining} bytes left over after its last field`);
    }
  }

  /** A `PGS_MALFORMED_MESSAGE` error naming this message. */
  malformed(what: string): ProtocolError {
    return new ProtocolError(ErrorCode.MALFORMED_MESSAGE, `${this.message} ${what}`);
  }
}
