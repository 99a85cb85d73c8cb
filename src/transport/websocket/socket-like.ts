/**
 * The part of the WHATWG WebSocket API (https://websockets.spec.whatwg.org/) the WebSocket transport
 * uses, typed structurally so that both a browser's global `WebSocket` and the `ws` package's class
 * (Node 20 has no global WebSocket) fit without importing either. Handlers are the `on…` properties
 * (both implement them); their event parameter is `never` so that any implementation's own event
 * type is accepted, and the transport reads only the fields named in the event types below.
 */

/** What a `message` event carries (`binaryType = 'arraybuffer'`: an ArrayBuffer for a binary frame). */
export interface SocketMessageEvent {
  readonly data: unknown;
}

/** What a `close` event carries. */
export interface SocketCloseEvent {
  readonly code: number;
  readonly reason: string;
  readonly wasClean?: boolean;
}

/** A WebSocket, as the transport uses it. */
export interface WebSocketLike {
  binaryType: string;
  readonly bufferedAmount: number;
  readonly readyState: number;
  /** The subprotocol the server selected ('' when none). */
  readonly protocol: string;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: never) => void) | null;
  onmessage: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
}

/** A WebSocket class: the browser's `WebSocket`, or the `ws` package's `WebSocket` in Node. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** `readyState` values (https://websockets.spec.whatwg.org/#dom-websocket-connecting). */
export const ReadyState = {
  CONNECTING: 0,
  OPEN: 1,
  CLOSING: 2,
  CLOSED: 3,
} as const;

/** Close codes (RFC 6455 section 7.4.1) the transport sends or tells apart. */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  NO_STATUS: 1005,
  ABNORMAL: 1006,
} as const;

/** True for the codes of an orderly close (the peer meant to close). */
export function isCleanClose(code: number): boolean {
  return code === CloseCode.NORMAL || code === CloseCode.GOING_AWAY || code === CloseCode.NO_STATUS;
}

/** Describes a close event for an error message: its code and, when there is one, its reason. */
export function describeClose(event: SocketCloseEvent): string {
  return `close code ${event.code}${event.reason ? `: ${event.reason}` : ''}`;
}

/** The global `WebSocket` (browsers, Deno, Node 22+), or undefined. */
export function globalWebSocket(): WebSocketConstructor | undefined {
  return (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
}
