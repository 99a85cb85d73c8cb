/**
 * A fault-injecting TCP proxy for reliability tests: it sits between the library and a real
 * PostgreSQL server the suite started, frames the traffic in both directions (./fault-wire.ts) and
 * follows a fault plan (./fault-plan.ts) per accepted connection: drop (FIN or RST) after N bytes
 * or at a message, truncate, stall (half-open), delay, split writes, inject bytes, rewrite the SASL
 * mechanism list, duplicate, reorder or replace messages. It records what passed (message names,
 * bytes in/out/held, the sizes of its writes, the rules that fired, socket events) and never throws
 * into the test process: every socket has an 'error' listener, and a mistake in a plan or a hook is
 * recorded in `errors` (a test asserts it stays empty).
 *
 * ```ts
 * const proxy = await startFaultProxy({ target: server, plan: [
 *   { direction: 'backend', when: { message: 'AuthenticationOk' }, action: { do: 'drop', how: 'rst' } },
 * ] });
 * await builder.connect(proxy.dial()); // rejects; then proxy.connections[0].backend.messages …
 * await proxy.close();
 * ```
 */
import net from 'node:net';
import type { DirectionRecord } from './fault-outbox.js';
import type { DropHow, Plan } from './fault-plan.js';
import { RuleState } from './fault-plan.js';
import { errorText, Pipe } from './fault-pipe.js';
import type { PipeOwner } from './fault-pipe.js';
import type { Direction, WireMessage } from './fault-wire.js';
import { WireState } from './fault-wire.js';

export type { DirectionRecord } from './fault-outbox.js';
export type { Action, DropHow, Plan, Rule, Trigger } from './fault-plan.js';
export type { Direction, WireMessage } from './fault-wire.js';

/** Where the proxy forwards to and what it does to each connection. */
export interface FaultProxyOptions {
  readonly target: { readonly host: string; readonly port: number };
  /** One plan for every connection, or a plan per connection (0-based index in accept order). Default: none. */
  readonly plan?: Plan | ((index: number) => Plan);
  /** Transcript bytes kept per connection (names and counts are always kept); default 8 MiB. */
  readonly recordLimit?: number;
}

/** The proxy's record of one accepted connection. */
export interface ProxiedConnection {
  readonly index: number;
  readonly frontend: DirectionRecord;
  readonly backend: DirectionRecord;
  /** Every unit received, both directions, in arrival order (bytes as received, before any fault). */
  readonly transcript: WireMessage[];
  /** The rules that fired, each once, in the order they first fired (`backend AuthenticationOk#1: drop`). */
  readonly fired: string[];
  /** Socket events worth knowing (`client end`, `server error ECONNRESET`, `proxy rst`). */
  readonly events: string[];
  /**
   * Resolves once the client closed its end: its FIN or its reset arrived (a stalled proxy keeps
   * its own side open, so 'close' alone would wait for the proxy, not for the client).
   */
  readonly clientClosed: Promise<void>;
  /** Resolves once both sockets are closed. */
  readonly closed: Promise<void>;
}

/** A running proxy. */
export interface FaultProxy {
  readonly host: string;
  readonly port: number;
  /** Every connection accepted so far, in order. */
  readonly connections: readonly ProxiedConnection[];
  /** The proxy's own failures (a throwing hook or predicate, an action that did not fit its message). */
  readonly errors: readonly string[];
  /** Replaces the plan for connections accepted from now on. */
  setPlan(plan: Plan | ((index: number) => Plan)): void;
  /** Opens a TCP connection to the proxy (what a test hands to `ConnectionBuilder.connect`). */
  dial(): net.Socket;
  /** Destroys every socket and stops listening; never rejects. */
  close(): Promise<void>;
}

const DEFAULT_RECORD_LIMIT = 8 * 1024 * 1024;
/**
 * A RST right behind data can reach a Node receiver as a plain EOF: libuv reports a hang-up that
 * comes with the last partial read as end-of-stream, never reading the reset. So the proxy lets
 * the receiver read what was written before it resets the connection.
 */
const RST_SETTLE_MS = 25;
const LOOPBACK = '127.0.0.1';

/** One accepted connection and its upstream. */
class Link implements PipeOwner {
  readonly state = new WireState();
  readonly rules: RuleState[];
  readonly record: ProxiedConnection;
  readonly events: string[] = [];
  readonly fired: string[] = [];
  readonly client: net.Socket;
  readonly server: net.Socket;
  readonly frontend: Pipe;
  readonly backend: Pipe;
  dropped = false;
  readonly #errors: string[];
  readonly #transcript: WireMessage[] = [];
  #recorded = 0;
  readonly #recordLimit: number;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(index: number, client: net.Socket, options: FaultProxyOptions, plan: Plan, errors: string[]) {
    this.#errors = errors;
    this.#recordLimit = options.recordLimit ?? DEFAULT_RECORD_LIMIT;
    this.rules = plan.map((r) => new RuleState(r));
    this.client = client;
    this.server = net.connect({ host: options.target.host, port: options.target.port, allowHalfOpen: true });
    this.frontend = new Pipe(this, 'frontend', this.server);
    this.backend = new Pipe(this, 'backend', this.client);
    const clientClosed = Promise.race([once(client, 'end'), once(client, 'close')]);
    const closed = Promise.all([clientClosed, once(this.server, 'close')]).then(() => undefined);
    this.record = {
      index,
      frontend: this.frontend.record,
      backend: this.backend.record,
      transcript: this.#transcript,
      fired: this.fired,
      events: this.events,
      clientClosed,
      closed,
    };
    client.setNoDelay(true);
    this.server.setNoDelay(true);
    this.#wire(client, 'client', this.frontend, this.server);
    this.#wire(this.server, 'server', this.backend, client);
  }

  #wire(source: net.Socket, side: 'client' | 'server', pipe: Pipe, other: net.Socket): void {
    source.on('data', (chunk: Buffer) => this.#guarded(() => pipe.onData(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length))));
    source.on('end', () => {
      this.events.push(`${side} end`);
      this.#guarded(() => pipe.onEnd());
    });
    source.on('error', (err: unknown) => this.events.push(`${side} error ${errorText(err)}`));
    source.on('close', (hadError: boolean) => {
      this.events.push(`${side} close`);
      this.#guarded(() => {
        if (this.dropped || other.destroyed) return;
        // A client that went away cannot be stalled at: release the server. A server that reset
        // resets the client (after what was already queued), unless this direction is stalled.
        if (side === 'client') pipe.outbox.push({ kind: 'destroy' });
        else if (!pipe.stalled) pipe.outbox.push(hadError ? { kind: 'reset' } : { kind: 'end' });
      });
    });
  }

  #guarded(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.error(`internal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }

  error(text: string): void {
    this.#errors.push(`connection ${this.record.index}: ${text}`);
  }

  remember(m: WireMessage): void {
    if (this.#recorded + m.bytes.length <= this.#recordLimit) {
      this.#recorded += m.bytes.length;
      this.#transcript.push(m);
    } else {
      this.#transcript.push({ ...m, bytes: new Uint8Array(0) });
    }
  }

  /** Stops forwarding `direction` (or both); nothing is closed. */
  stall(direction: Direction, both: boolean): void {
    this.events.push(`proxy stall ${both ? 'both' : direction}`);
    if (both || direction === 'frontend') this.frontend.stalled = true;
    if (both || direction === 'backend') this.backend.stalled = true;
  }

  /** Closes both sides: the client gets a FIN or a RST once `flushed` (the last queued write) is done. */
  drop(how: DropHow, flushed: Promise<void>): void {
    if (this.dropped) return;
    this.dropped = true;
    this.events.push(`proxy ${how}`);
    this.frontend.outbox.stop();
    this.backend.outbox.stop();
    void flushed.then(() => {
      this.server.destroySoon();
      if (how === 'rst') this.resetLater(this.client);
      else if (!this.client.destroyed) this.client.end();
    });
  }

  /** Resets a socket (RST) once its receiver had time to read what came before (see RST_SETTLE_MS). */
  resetLater(socket: net.Socket): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (socket.destroyed) return;
      try {
        socket.resetAndDestroy();
      } catch {
        socket.destroy();
      }
    }, RST_SETTLE_MS);
    this.#timers.add(timer);
  }

  destroy(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.frontend.outbox.stop();
    this.backend.outbox.stop();
    this.client.destroy();
    this.server.destroy();
  }
}

function once(socket: net.Socket, event: string): Promise<void> {
  return new Promise((resolve) => {
    if (event === 'close' && socket.closed) resolve();
    else socket.once(event, () => resolve());
  });
}

/** Starts a proxy on 127.0.0.1 (a free port) in front of `options.target`. */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const errors: string[] = [];
  const links: Link[] = [];
  const connections: ProxiedConnection[] = [];
  let plan = options.plan ?? [];
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    client.on('error', () => undefined);
    try {
      const index = links.length;
      const p = typeof plan === 'function' ? plan(index) : plan;
      const link = new Link(index, client, options, p, errors);
      links.push(link);
      connections.push(link.record);
    } catch (err) {
      errors.push(`accept: ${errorText(err)}`);
      client.destroy();
    }
  });
  server.on('error', (err) => errors.push(`listen: ${errorText(err)}`));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as net.AddressInfo;
  return {
    host: LOOPBACK,
    port: address.port,
    connections,
    errors,
    setPlan(p) {
      plan = p;
    },
    dial() {
      return net.connect({ host: LOOPBACK, port: address.port });
    },
    async close() {
      for (const l of links) l.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all(connections.map((c) => c.closed));
    },
  };
}
