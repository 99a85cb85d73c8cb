/**
 * The body ErrorResponse and NoticeResponse share: a list of (Byte1 field type, String value) pairs
 * ended by a zero byte. Every field is kept, unknown letters included (the docs ask clients to ignore
 * unrecognised types, and a newer server's fields are worth keeping), in a Map so that no letter can
 * reach an object prototype. A repeated letter keeps its last value, as libpq does.
 * https://www.postgresql.org/docs/current/protocol-error-fields.html
 */
import type { MessageWriter } from '../writer.js';
import { decodeBody, invalid, writeMessage } from './body.js';

/** The zero byte that ends the field list (a field type can never be zero). */
const END_OF_FIELDS = 0;

/** An ErrorResponse or NoticeResponse. */
export interface NoticeMessage {
  readonly type: string;
  readonly code: number;
  readonly fields: ReadonlyMap<string, string>;
}

/** The decoder and encoder of ErrorResponse or NoticeResponse. */
export interface NoticeCodec<T extends NoticeMessage> {
  decode(body: Uint8Array): T;
  encode(w: MessageWriter, msg: T): void;
}

/** Builds the codec of the message named `type` with type byte `code`. */
export function noticeCodec<T extends NoticeMessage>(type: T['type'], code: T['code']): NoticeCodec<T> {
  return {
    decode: (body) =>
      decodeBody(body, type, (r) => {
        const fields = new Map<string, string>();
        for (let t = r.u8(); t !== END_OF_FIELDS; t = r.u8()) fields.set(String.fromCharCode(t), r.cstring());
        return { type, code, fields } as NoticeMessage as T;
      }),
    encode: (w, msg) =>
      writeMessage(w, code, () => {
        for (const [letter, value] of msg.fields) {
          const t = letter.length === 1 ? letter.charCodeAt(0) : END_OF_FIELDS;
          if (t === END_OF_FIELDS || t > 0xff) throw invalid(`${type} field type must be one non-zero byte, got ${JSON.stringify(letter)}`);
          w.u8(t);
          w.cstring(value);
        }
        w.u8(END_OF_FIELDS);
      }),
  };
}
