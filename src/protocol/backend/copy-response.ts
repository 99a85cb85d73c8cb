/**
 * The body CopyInResponse, CopyOutResponse and CopyBothResponse share: Int8 overall format, Int16
 * column count, then one Int16 format code per column. One codec, three message names.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-COPYINRESPONSE
 */
import type { FormatCode } from '../codes.js';
import type { MessageWriter } from '../writer.js';
import { decodeBody, readFormat16, readFormat8, writeCount, writeFormat16, writeFormat8, writeMessage } from './body.js';

/** Any of the three Copy*Response messages. */
export interface CopyResponse {
  readonly type: string;
  readonly code: number;
  readonly format: FormatCode;
  readonly columnFormats: readonly FormatCode[];
}

/** The decoder and encoder of one Copy*Response message. */
export interface CopyResponseCodec<T extends CopyResponse> {
  decode(body: Uint8Array): T;
  encode(w: MessageWriter, msg: T): void;
}

/** Builds the codec of the Copy*Response named `type` with type byte `code`. */
export function copyResponseCodec<T extends CopyResponse>(type: T['type'], code: T['code']): CopyResponseCodec<T> {
  return {
    decode: (body) =>
      decodeBody(body, type, (r) => {
        const format = readFormat8(r);
        const n = r.count(r.u16(), 2);
        const columnFormats: FormatCode[] = new Array(n);
        for (let i = 0; i < n; i++) columnFormats[i] = readFormat16(r);
        return { type, code, format, columnFormats } as CopyResponse as T;
      }),
    encode: (w, msg) =>
      writeMessage(w, code, () => {
        writeFormat8(w, msg.format, `${type} format`);
        writeCount(w, msg.columnFormats.length, `${type} columns`);
        for (const f of msg.columnFormats) writeFormat16(w, f, `${type} column format`);
      }),
  };
}
