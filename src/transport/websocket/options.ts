/**
 * Options of the WebSocket transport and their checks: which bridge to dial (the URL, the
 * subprotocols it expects, the PostgreSQL server it should reach) and the transport's two bounds.
 * Two bridge conventions are covered:
 * - websockify (https://github.com/novnc/websockify): the target is fixed by the bridge's command
 *   line; the client offers the `binary` subprotocol — `{ protocols: ['binary'] }`;
 * - Neon's wsproxy and the proxies modelled on it: the target travels in the URL's query string —
 *   `{ address: 'db.internal:5432' }` adds `?address=db.internal:5432`.
 */
import { ConfigError, ErrorCode } from '../../errors.js';
import { globalWebSocket } from './socket-like.js';
import type { WebSocketConstructor } from './socket-like.js';

/** Options of `new WebSocketTransport(url, options)`. */
export interface WebSocketTransportOptions {
  /** Subprotocols to offer in the handshake: `'binary'` for websockify. Default: none. */
  readonly protocols?: string | readonly string[];
  /** The PostgreSQL server (`host:port`) the bridge should dial, sent as `?address=` (Neon's convention). */
  readonly address?: string;
  /** The WebSocket class. Default: the global `WebSocket`; in Node 20, pass `(await import('ws')).WebSocket`. */
  readonly WebSocket?: WebSocketConstructor;
  /** `write()` resolves once the socket's `bufferedAmount` is at most this (default 1 MiB). */
  readonly highWaterMark?: number;
  /**
   * Received bytes the session has not read yet beyond which the connection fails with
   * PGS_SOCKET_ERROR (default 64 MiB; `Infinity` turns the bound off). A WebSocket cannot be paused,
   * so a consumer slower than the server makes input pile up: this bound turns a flood into an error.
   */
  readonly maxQueuedBytes?: number;
}

/** Default of `highWaterMark`. */
export const DEFAULT_HIGH_WATER_MARK = 1024 * 1024;
/** Default of `maxQueuedBytes` (the Node transport's bound on input queued while it writes). */
export const DEFAULT_MAX_QUEUED_BYTES = 64 * 1024 * 1024;

/** Options after checking, with defaults applied. */
export interface ResolvedWebSocketOptions {
  /** The URL to dial, `address` included. */
  readonly url: string;
  readonly protocols: string[];
  readonly WebSocket: WebSocketConstructor;
  readonly highWaterMark: number;
  readonly maxQueuedBytes: number;
  /** True for `wss:`. */
  readonly secure: boolean;
}

function invalid(message: string): never {
  throw new ConfigError(ErrorCode.INVALID_ARGUMENT, message);
}

function checkBound(what: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || Number.isNaN(v) || v < 0) invalid(`${what} must be a non-negative number of bytes`);
  return v;
}

/** Checks the options, applies the defaults and builds the URL to dial. */
export function resolveOptions(url: string | URL, options: WebSocketTransportOptions = {}): ResolvedWebSocketOptions {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch (err) {
    throw new ConfigError(ErrorCode.INVALID_ARGUMENT, 'the WebSocket URL is not a valid URL', { cause: err });
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') invalid(`the WebSocket URL must start with ws: or wss:, not ${parsed.protocol}`);
  if (options.address !== undefined) {
    if (typeof options.address !== 'string' || options.address === '') invalid('address must be a non-empty host:port string');
    parsed.searchParams.set('address', options.address);
  }
  const p = options.protocols ?? [];
  const protocols = typeof p === 'string' ? [p] : [...p];
  if (!protocols.every((s) => typeof s === 'string' && s !== '')) invalid('protocols must be non-empty strings');
  const WS = options.WebSocket ?? globalWebSocket();
  if (typeof WS !== 'function') {
    invalid("no WebSocket class: this platform has no global WebSocket (Node 20): pass { WebSocket } from the 'ws' package");
  }
  return {
    url: parsed.href,
    protocols,
    WebSocket: WS,
    highWaterMark: checkBound('highWaterMark', options.highWaterMark, DEFAULT_HIGH_WATER_MARK),
    maxQueuedBytes: checkBound('maxQueuedBytes', options.maxQueuedBytes, DEFAULT_MAX_QUEUED_BYTES),
    secure: parsed.protocol === 'wss:',
  };
}

/** The URL for error messages: scheme, host, path and target address, without credentials or other parameters. */
export function describeUrl(url: string): string {
  const u = new URL(url);
  const address = u.searchParams.get('address');
  return `${u.protocol}//${u.host}${u.pathname}${address === null ? '' : ` (address ${address})`}`;
}
