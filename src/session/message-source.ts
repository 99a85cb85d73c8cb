/**
 * Where the session reads decoded messages from: the BackendReader the transport fills (or a
 * tracing wrapper around it), and the loop that asks the transport for bytes until one is complete.
 */
import type { BackendMessage } from '../protocol/messages.js';
import type { RowBlock } from '../protocol/row-block.js';
import type { Transport } from '../transport/transport.js';

/** A source of decoded backend messages (the BackendReader the transport fills). */
export interface MessageSource {
  next(): BackendMessage | null;
  /** The run of DataRows (or messages of `type`) next in the stream, when the source can frame runs (BackendReader); else absent. */
  nextRows?(type?: number): RowBlock | null;
}

/** Reads the next message, asking the transport for bytes as needed. */
export async function nextMessage(source: MessageSource, transport: Transport): Promise<BackendMessage> {
  for (;;) {
    const msg = source.next();
    if (msg !== null) return msg;
    await transport.fill();
  }
}
