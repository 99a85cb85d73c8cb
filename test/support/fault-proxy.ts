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
import type { Action, DropHow, Plan, Splitter } from './fault-plan.js';
import { describeRule, fixedSplitter, randomSplitter, RuleState } from './fault-plan.js';
import type { Direction, WireMessage } from './fault-wire.js';
import { encodeAuthenticationSASL, WireFramer, WireState } from './fault-wire.js';

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

/** What passed one way on one connection. */
export interface DirectionRecord {
  /** Bytes received from the source. */
  bytesIn: number;
  /** Bytes written to the destination (faults included: duplicates, injections, rewrites). */
  bytesOut: number;
  /** Bytes received while stalled or after a drop, never forwarded. */
  bytesHeld: number;
  /** Names of the units received, in order (see WireMessage.name). */
  readonly messages: string[];
  /** Size of every write to the destination, in order. */
  readonly writes: number[];
  /** True once the source sent its FIN. */
  ended: boolean;
}

/** The proxy's record of one accepted connection. */
export interface ProxiedConnection {
  readonly index: number;
  readonly frontend: DirectionRecord;
  readonly backend: DirectionRecord;
  /** Every unit received, both directions, in arrival order (bytes as received, before any fault). */
  readonly transcript: WireMessage[];
  /** The rules that fired, described (`backend AuthenticationOk#1: drop`). */
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

/** A message to write, with an extra wait before it. */
interface Item {
  readonly bytes: Uint8Array;
  readonly waitMs: number;
}

type Step =
  | { readonly kind: 'write'; readonly bytes: Uint8Array }
  | { readonly kind: 'wait'; readonly ms: number }
  | { readonly kind: 'drop'; readonly how: DropHow }
  | { readonly kind: 'end' }
  | { readonly kind: 'reset' }
  | { readonly kind: 'destroy' };

function newRecord(): DirectionRecord {
  return { bytesIn: 0, bytesOut: 0, bytesHeld: 0, messages: [], writes: [], ended: false };
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function errorText(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
}

/** The serial write queue of one direction: writes, waits and closes, strictly in order. */
class Outbox {
  readonly #link: Link;
  readonly #dest: net.Socket;
  readonly #record: DirectionRecord;
  readonly #steps: Step[] = [];
  #timer: { readonly cancel: () => void } | null = null;
  #lastWrite: Promise<void> = Promise.resolve();

  constructor(link: Link, dest: net.Socket, record: DirectionRecord) {
    this.#link = link;
    this.#dest = dest;
    this.#record = record;
  }

  push(step: Step): void {
    this.#steps.push(step);
    if (this.#timer === null) this.#pump();
  }

  /** Stops: pending steps are dropped, timers cleared. */
  stop(): void {
    this.#steps.length = 0;
    this.#timer?.cancel();
    this.#timer = null;
  }

  #pump(): void {
    while (this.#steps.length > 0) {
      if (this.#link.dropped) {
        this.#steps.length = 0;
        return;
      }
      const step = this.#steps.shift()!;
      if (step.kind === 'wait') {
        const resume = (): void => {
          this.#timer = null;
          this.#pump();
        };
        if (step.ms > 0) {
          const t = setTimeout(resume, step.ms);
          this.#timer = { cancel: () => clearTimeout(t) };
        } else {
          const t = setImmediate(resume);
          this.#timer = { cancel: () => clearImmediate(t) };
        }
        return;
      }
      this.#run(step);
    }
  }

  #run(step: Exclude<Step, { kind: 'wait' }>): void {
    const dest = this.#dest;
    switch (step.kind) {
      case 'write':
        if (dest.destroyed || dest.writableEnded) return;
        this.#record.bytesOut += step.bytes.length;
        this.#record.writes.push(step.bytes.length);
        this.#lastWrite = new Promise((resolve) => {
          dest.write(step.bytes, () => resolve());
        });
        return;
      case 'drop':
        this.#link.drop(step.how, this.#lastWrite);
        return;
      case 'end':
        if (!dest.destroyed && !dest.writableEnded) dest.end();
        return;
      case 'reset':
        void this.#lastWrite.then(() => this.#link.resetLater(dest));
        return;
      case 'destroy':
        dest.destroy();
        return;
    }
  }
}

/** One direction: frames what the source sends, applies the rules, queues the result. */
class Pipe {
  readonly direction: Direction;
  readonly record = newRecord();
  readonly outbox: Outbox;
  readonly #link: Link;
  readonly #framer: WireFramer;
  stalled = false;
  #delay: { ms: number; per: 'message' | 'chunk' } | null = null;
  #splitter: Splitter | null = null;
  #gapMs = 0;
  #held: Item[] | null = null;
  /** The rules whose delay/split is in force (a rule firing again keeps its state, e.g. its random sequence). */
  #delayRule: Action | null = null;
  #splitRule: Action | null = null;

  constructor(link: Link, direction: Direction, dest: net.Socket) {
    this.#link = link;
    this.direction = direction;
    this.#framer = new WireFramer(direction, link.state);
    this.outbox = new Outbox(link, dest, this.record);
  }

  onData(chunk: Uint8Array): void {
    this.record.bytesIn += chunk.length;
    for (const m of this.#framer.push(chunk)) this.#unit(m);
    this.#notes();
  }

  onEnd(): void {
    this.record.ended = true;
    const rest = this.#framer.flush();
    if (rest !== null) this.#unit(rest);
    this.#releaseHeld();
    if (!this.stalled && !this.#link.dropped) this.outbox.push({ kind: 'end' });
  }

  #notes(): void {
    const notes = this.#framer.notes.splice(0);
    for (const n of notes) this.#link.events.push(`${this.direction} ${n}`);
  }

  #unit(m: WireMessage): void {
    this.#link.remember(m);
    this.record.messages.push(m.name);
    if (this.stalled || this.#link.dropped) {
      this.record.bytesHeld += m.bytes.length;
      return;
    }
    let items: Item[] = [{ bytes: m.bytes, waitMs: 0 }];
    let reordered = false;
    for (const rule of this.#link.rules) {
      let hit: { cutAt: number | null } | null;
      try {
        hit = rule.fires(m);
      } catch (err) {
        this.#link.error(`${describeRule(rule.rule)}: the trigger threw: ${errorText(err)}`);
        continue;
      }
      if (hit === null) continue;
      this.#link.fired.push(describeRule(rule.rule));
      try {
        const next = this.#apply(rule.rule.action, m, items, hit.cutAt);
        if (next === 'stop') return;
        if (next === 'held') {
          reordered = true;
          items = [];
        } else {
          items = next;
        }
      } catch (err) {
        this.#link.error(`${describeRule(rule.rule)}: the action threw: ${errorText(err)}`);
      }
    }
    this.#emit(items);
    if (!reordered) this.#releaseHeld();
  }

  /** Applies one action; returns the items to write, 'held' (reorder), or 'stop' (the connection was cut). */
  #apply(a: Action, m: WireMessage, items: Item[], cutAt: number | null): Item[] | 'held' | 'stop' {
    switch (a.do) {
      case 'drop': {
        const whole = concat(items.map((i) => i.bytes));
        this.#emit([{ bytes: whole.subarray(0, cutAt ?? (a.forward === true ? whole.length : 0)), waitMs: 0 }]);
        this.outbox.push({ kind: 'drop', how: a.how ?? 'fin' });
        return 'stop';
      }
      case 'truncate': {
        const whole = concat(items.map((i) => i.bytes));
        this.#emit([{ bytes: whole.subarray(0, Math.max(0, Math.min(a.keep, whole.length))), waitMs: 0 }]);
        this.outbox.push({ kind: 'drop', how: a.how ?? 'fin' });
        return 'stop';
      }
      case 'stall': {
        const whole = concat(items.map((i) => i.bytes));
        const cut = cutAt ?? 0;
        this.#emit([{ bytes: whole.subarray(0, cut), waitMs: 0 }]);
        this.record.bytesHeld += whole.length - cut;
        this.#link.stall(this.direction, a.both === true);
        return 'stop';
      }
      case 'delay':
        if (this.#delayRule !== a) this.#delay = { ms: a.ms, per: a.per ?? 'message' };
        this.#delayRule = a;
        return items;
      case 'split':
        if (this.#splitRule !== a) {
          this.#splitter = 'sizes' in a ? fixedSplitter(a.sizes) : randomSplitter(a.seed, a.min, a.max);
          this.#gapMs = a.gapMs ?? 0;
        }
        this.#splitRule = a;
        return items;
      case 'inject': {
        if (a.delayMs !== undefined) {
          const extra = { bytes: a.bytes, waitMs: a.delayMs };
          return a.before === true ? [extra, ...items] : [...items, extra];
        }
        const whole = concat(items.map((i) => i.bytes));
        return [{ bytes: a.before === true ? concat([a.bytes, whole]) : concat([whole, a.bytes]), waitMs: 0 }];
      }
      case 'rewriteSasl':
        if (m.name !== 'AuthenticationSASL') {
          this.#link.error(`rewriteSasl fired on ${m.name}, not AuthenticationSASL: forwarded unchanged`);
          return items;
        }
        return [{ bytes: encodeAuthenticationSASL(a.mechanisms), waitMs: 0 }];
      case 'duplicate':
        return [...items, ...items];
      case 'reorder':
        // A second reorder before the first was released: let the first go now.
        this.#releaseHeld();
        this.#held = items;
        return 'held';
      case 'replace':
        return a.with(m).map((bytes) => ({ bytes, waitMs: 0 }));
    }
  }

  #releaseHeld(): void {
    const held = this.#held;
    this.#held = null;
    if (held !== null) this.#emit(held);
  }

  #emit(items: readonly Item[]): void {
    for (const item of items) {
      if (item.bytes.length === 0) continue;
      if (item.waitMs > 0) this.outbox.push({ kind: 'wait', ms: item.waitMs });
      if (this.#delay !== null && this.#delay.per === 'message') this.outbox.push({ kind: 'wait', ms: this.#delay.ms });
      const sizes = this.#splitter === null ? [item.bytes.length] : this.#splitter.sizes(item.bytes.length);
      let at = 0;
      for (const size of sizes) {
        // Each piece of a split message waits for a turn of the event loop (or gapMs) so that the
        // receiver really reads it on its own rather than coalesced with the next.
        if (this.#splitter !== null) this.outbox.push({ kind: 'wait', ms: this.#gapMs });
        if (this.#delay !== null && this.#delay.per === 'chunk') this.outbox.push({ kind: 'wait', ms: this.#delay.ms });
        this.outbox.push({ kind: 'write', bytes: item.bytes.subarray(at, at + size) });
        at += size;
      }
    }
  }
}

/** One accepted connection and its upstream. */
class Link {
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
