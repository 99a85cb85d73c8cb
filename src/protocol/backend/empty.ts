/**
 * The backend messages whose body is empty (BindComplete, CloseComplete, CopyDone, EmptyQueryResponse,
 * NoData, ParseComplete, PortalSuspended) share one codec: any body byte is a malformed message, and
 * decoding returns one frozen instance per message, so these allocate nothing.
 */
import type { MessageWriter } from '../writer.js';
import { writeMessage, wrongLength } from './body.js';

/** A decoded empty-bodied message: only its name and type byte. */
export interface EmptyMessage {
  readonly type: string;
  readonly code: number;
}

/** The decoder and encoder of one empty-bodied message. */
export interface EmptyCodec<T extends EmptyMessage> {
  decode(body: Uint8Array): T;
  encode(w: MessageWriter, msg?: T): void;
}

/** Builds the codec of the empty-bodied message `message` (its single, frozen instance). */
export function emptyCodec<T extends EmptyMessage>(message: T): EmptyCodec<T> {
  const instance = Object.freeze(message);
  return {
    decode: (body) => {
      if (body.length !== 0) throw wrongLength(instance.type, body, 0);
      return instance;
    },
    encode: (w, msg = instance) => writeMessage(w, msg.code, () => {}),
  };
}
