/**
 * Asynchronous messages as events: NotificationResponse (`'notification'`: LISTEN/NOTIFY, also per
 * channel through `conn.listen`), NoticeResponse (`'notice'`) and ParameterStatus (`'parameter'`),
 * delivered in the order the server sent them, whoever was reading
 * (https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-ASYNC). A handler that
 * throws is isolated: the others still run, and the error goes to the `'error'` handlers — or, when
 * there are none, to `console.error`, so it is never lost silently (RELIABILITY.md case 20).
 */
import { ClientError, ErrorCode } from '../errors.js';
import type { BackendMessage, NoticeResponse } from '../protocol/messages.js';

/** A NOTIFY delivered to this session. */
export interface Notification {
  readonly channel: string;
  readonly payload: string;
  /** The process ID of the notifying backend. */
  readonly processId: number;
}

/** A NoticeResponse: a warning or message from the server that is not an error. */
export interface Notice {
  /** Non-localised severity: WARNING, NOTICE, DEBUG, INFO or LOG. */
  readonly severity: string;
  /** The SQLSTATE code (e.g. `01000`). */
  readonly code: string;
  /** The primary message. */
  readonly message: string;
  /** Every field, by its protocol letter. */
  readonly fields: ReadonlyMap<string, string>;
}

/** A run-time parameter the server reported as changed. */
export interface ParameterChange {
  readonly name: string;
  readonly value: string;
}

/** A handler's failure, as the `'error'` handlers receive it. */
export interface HandlerError {
  /**
   * The event whose handler threw, or `'connection'`: the connection failed while it was reading
   * idle for the event handlers (the server's FATAL, a lost connection) — `error` is its fatal error.
   */
  readonly event: EventName | 'connection';
  readonly error: unknown;
}

/** The events and what their handlers receive. */
export interface ConnectionEvents {
  notification: Notification;
  notice: Notice;
  parameter: ParameterChange;
  error: HandlerError;
}
/** An event name. */
export type EventName = keyof ConnectionEvents;

const EVENTS: ReadonlySet<string> = new Set(['notification', 'notice', 'parameter', 'error']);

/** The Notice for a NoticeResponse. */
export function noticeOf(msg: NoticeResponse): Notice {
  const f = msg.fields;
  return { severity: f.get('V') ?? f.get('S') ?? 'NOTICE', code: f.get('C') ?? '00000', message: f.get('M') ?? '', fields: f };
}

/** The handlers of one connection. */
export class EventHandlers {
  readonly #handlers = new Map<EventName, Set<(arg: never) => void>>();
  readonly #channels = new Map<string, Set<(n: Notification) => void>>();

  /** True while a handler that asks the connection to read when idle is attached. */
  get listening(): boolean {
    return this.#channels.size > 0 || this.#count('notification') + this.#count('notice') + this.#count('parameter') > 0;
  }

  #count(event: EventName): number {
    return this.#handlers.get(event)?.size ?? 0;
  }

  /** Adds `handler` for `event`. */
  on<E extends EventName>(event: E, handler: (arg: ConnectionEvents[E]) => void): void {
    if (!EVENTS.has(event)) throw new ClientError(ErrorCode.INVALID_ARGUMENT, `unknown event ${String(event)}: use notification, notice, parameter or error`);
    if (typeof handler !== 'function') throw new ClientError(ErrorCode.INVALID_ARGUMENT, 'an event handler must be a function');
    let set = this.#handlers.get(event);
    if (set === undefined) this.#handlers.set(event, (set = new Set()));
    set.add(handler as (arg: never) => void);
  }

  /** Removes `handler` for `event`. */
  off<E extends EventName>(event: E, handler: (arg: ConnectionEvents[E]) => void): void {
    const set = this.#handlers.get(event);
    set?.delete(handler as (arg: never) => void);
    if (set?.size === 0) this.#handlers.delete(event);
  }

  /** Adds a handler for notifications on `channel`; true when it is the channel's first. */
  addChannel(channel: string, handler: (n: Notification) => void): boolean {
    let set = this.#channels.get(channel);
    const first = set === undefined;
    if (set === undefined) this.#channels.set(channel, (set = new Set()));
    set.add(handler);
    return first;
  }

  /** Removes a channel handler; true when it was the channel's last. */
  removeChannel(channel: string, handler: (n: Notification) => void): boolean {
    const set = this.#channels.get(channel);
    if (set === undefined || !set.delete(handler)) return false;
    if (set.size > 0) return false;
    this.#channels.delete(channel);
    return true;
  }

  /** Delivers an asynchronous message to its handlers. */
  deliver(msg: BackendMessage): void {
    switch (msg.type) {
      case 'NotificationResponse': {
        const n: Notification = { channel: msg.channel, payload: msg.payload, processId: msg.processId };
        this.#emit('notification', n);
        const set = this.#channels.get(n.channel);
        if (set !== undefined) for (const h of [...set]) this.#call('notification', h, n);
        return;
      }
      case 'NoticeResponse':
        if (this.#count('notice') > 0) this.#emit('notice', noticeOf(msg));
        return;
      case 'ParameterStatus':
        this.#emit('parameter', { name: msg.name, value: msg.value });
        return;
      default:
        return;
    }
  }

  #emit<E extends EventName>(event: E, arg: ConnectionEvents[E]): void {
    const set = this.#handlers.get(event);
    if (set === undefined) return;
    for (const h of [...set]) this.#call(event, h as (arg: ConnectionEvents[E]) => void, arg);
  }

  #call<E extends EventName>(event: E, handler: (arg: ConnectionEvents[E]) => void, arg: ConnectionEvents[E]): void {
    try {
      handler(arg);
    } catch (error) {
      this.#report(event, error);
    }
  }

  /**
   * The connection failed while reading idle for these handlers: nobody else would hear of it until
   * the next call, so the `'error'` handlers are told (or the console, when there are none).
   */
  connectionFailed(error: unknown): void {
    this.#report('connection', error);
  }

  /** A handler threw: tell the `'error'` handlers, or the console when there are none. */
  #report(event: EventName | 'connection', error: unknown): void {
    const handlers = this.#handlers.get('error');
    if (event !== 'error' && handlers !== undefined && handlers.size > 0) {
      for (const h of [...handlers]) {
        try {
          (h as (e: HandlerError) => void)({ event, error });
        } catch (inner) {
          console.error(`pg-stream: an 'error' handler threw while reporting a '${event}' handler's error`, inner);
        }
      }
      return;
    }
    if (event === 'connection') console.error('pg-stream: the connection failed while idle', error);
    else console.error(`pg-stream: a '${event}' handler threw`, error);
  }
}

/** A channel name as a quoted SQL identifier (LISTEN/UNLISTEN take an identifier, not a parameter). */
export function quoteIdentifier(name: string): string {
  if (typeof name !== 'string' || name === '' || name.includes('\0')) {
    throw new ClientError(ErrorCode.INVALID_ARGUMENT, 'a channel name must be a non-empty string without NUL');
  }
  return `"${name.replace(/"/g, '""')}"`;
}
