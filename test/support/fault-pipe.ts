/**
 * The read side of one direction of the fault proxy (./fault-proxy.ts): frames what the source
 * sends (./fault-wire.ts), asks every rule of the plan (./fault-plan.ts) whether it fires, applies
 * the actions, and queues the result on the direction's Outbox (./fault-outbox.ts).
 */
import type net from 'node:net';
import type { Action, RuleState, Splitter } from './fault-plan.js';
import { describeRule, fixedSplitter, randomSplitter } from './fault-plan.js';
import { newRecord, Outbox } from './fault-outbox.js';
import type { OutboxOwner } from './fault-outbox.js';
import type { Direction, WireMessage, WireState } from './fault-wire.js';
import { encodeAuthenticationSASL, WireFramer } from './fault-wire.js';

/** What a pipe needs from its connection. */
export interface PipeOwner extends OutboxOwner {
  readonly state: WireState;
  readonly rules: readonly RuleState[];
  /** Descriptions of the rules that fired, each once, in the order they first fired. */
  readonly fired: string[];
  /** Socket events and framing notes. */
  readonly events: string[];
  /** Records a unit in the transcript. */
  remember(m: WireMessage): void;
  /** Records a failure of the plan or the proxy. */
  error(text: string): void;
  /** Stops forwarding `direction` (or both). */
  stall(direction: Direction, both: boolean): void;
}

/** A message to write, with an extra wait before it. */
interface Item {
  readonly bytes: Uint8Array;
  readonly waitMs: number;
}

/** The parts as one array. */
function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A short text for a thrown value or socket error: its code when it has one. */
export function errorText(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
}

/** One direction: frames what the source sends, applies the rules, queues the result. */
export class Pipe {
  readonly direction: Direction;
  readonly record = newRecord();
  readonly outbox: Outbox;
  readonly #link: PipeOwner;
  readonly #framer: WireFramer;
  stalled = false;
  #delay: { ms: number; per: 'message' | 'chunk' } | null = null;
  #splitter: Splitter | null = null;
  #gapMs = 0;
  #held: Item[] | null = null;
  /** The rules whose delay/split is in force (a rule firing again keeps its state, e.g. its random sequence). */
  #delayRule: Action | null = null;
  #splitRule: Action | null = null;

  constructor(link: PipeOwner, direction: Direction, dest: net.Socket) {
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
      if (rule.hits === 1) this.#link.fired.push(describeRule(rule.rule));
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

