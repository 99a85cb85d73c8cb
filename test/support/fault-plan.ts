/**
 * Fault plans for the fault proxy (./fault-proxy.ts): a plan is data — a list of rules, each a
 * direction, a trigger and an action — so that a test case is one row of a table. Triggers and
 * the seeded split sizes are evaluated here; the proxy applies the actions.
 */
import type { Direction, WireMessage } from './fault-wire.js';

/** When a rule fires. */
export type Trigger =
  /** On every unit of the direction, from the first. */
  | { readonly always: true }
  /** On the unit that carries byte number `afterBytes` (0-based) of the direction: cutting actions cut exactly there. */
  | { readonly afterBytes: number }
  /** On the `nth` (1-based, default 1) message named `message` (`AuthenticationOk`, `SSLResponse`, `Encrypted`, …). */
  | { readonly message: string; readonly nth?: number }
  /** On every unit `match` accepts (only the first with `once`). */
  | { readonly match: (m: WireMessage) => boolean; readonly once?: boolean };

/** How a dropped connection ends for the client: a FIN (orderly close) or a RST (reset). */
export type DropHow = 'fin' | 'rst';

/** What a rule does when it fires. */
export type Action =
  /** Close both sides. The triggering message is not forwarded unless `forward`; a byte trigger forwards exactly up to its byte. */
  | { readonly do: 'drop'; readonly how?: DropHow; readonly forward?: boolean }
  /** Forward the first `keep` bytes of the triggering message, then close both sides. */
  | { readonly do: 'truncate'; readonly keep: number; readonly how?: DropHow }
  /** Stop forwarding this direction (or both) without closing: a half-open connection. The trigger is held. */
  | { readonly do: 'stall'; readonly both?: boolean }
  /** From here on, wait `ms` before each message (default) or before each write of a split message. */
  | { readonly do: 'delay'; readonly ms: number; readonly per?: 'message' | 'chunk' }
  /** From here on, write every message in pieces of these sizes (cycled), `gapMs` apart (default: one event-loop turn). */
  | { readonly do: 'split'; readonly sizes: readonly number[]; readonly gapMs?: number }
  /** From here on, write in pieces of seeded random sizes in [min, max] (default 1..16). */
  | { readonly do: 'split'; readonly seed: number; readonly min?: number; readonly max?: number; readonly gapMs?: number }
  /** Insert `bytes` after (default) or before the message: in the same write, or `delayMs` later as a write of its own. */
  | { readonly do: 'inject'; readonly bytes: Uint8Array; readonly before?: boolean; readonly delayMs?: number }
  /** Replace an AuthenticationSASL message's mechanism list. */
  | { readonly do: 'rewriteSasl'; readonly mechanisms: readonly string[] }
  /** Forward the message twice. */
  | { readonly do: 'duplicate' }
  /** Hold the message and forward it right after the next message of the same direction. */
  | { readonly do: 'reorder' }
  /** Forward `with(m)` (any number of arbitrary byte strings, each written as a message) instead of the message. */
  | { readonly do: 'replace'; readonly with: (m: WireMessage) => readonly Uint8Array[] };

/** One row of a plan. */
export interface Rule {
  readonly direction: Direction | 'both';
  readonly when: Trigger;
  readonly action: Action;
}

/** What the proxy does to one connection. */
export type Plan = readonly Rule[];

/** Per-connection trigger state of one rule. */
export class RuleState {
  readonly rule: Rule;
  #seen = 0;
  #fired = false;
  #hits = 0;

  constructor(rule: Rule) {
    this.rule = rule;
  }

  /** How many times the rule fired so far. */
  get hits(): number {
    return this.#hits;
  }

  /** True when the rule applies to units travelling in `direction`. */
  covers(direction: Direction): boolean {
    return this.rule.direction === 'both' || this.rule.direction === direction;
  }

  /**
   * Whether the rule fires on `m`; for a byte trigger, at which byte of `m` it cuts (0 … length-1).
   * Returns null when it does not fire. Call once per unit, in order.
   */
  fires(m: WireMessage): { cutAt: number | null } | null {
    const hit = this.#check(m);
    if (hit !== null) this.#hits++;
    return hit;
  }

  #check(m: WireMessage): { cutAt: number | null } | null {
    if (!this.covers(m.direction)) return null;
    const w = this.rule.when;
    if ('always' in w) return { cutAt: null };
    if ('afterBytes' in w) {
      if (this.#fired || w.afterBytes >= m.offset + m.bytes.length) return null;
      this.#fired = true;
      return { cutAt: Math.max(0, w.afterBytes - m.offset) };
    }
    if ('message' in w) {
      if (this.#fired || m.name !== w.message) return null;
      this.#seen++;
      if (this.#seen !== (w.nth ?? 1)) return null;
      this.#fired = true;
      return { cutAt: null };
    }
    if (w.once === true && this.#fired) return null;
    if (!w.match(m)) return null;
    this.#fired = true;
    return { cutAt: null };
  }
}

/** Piece sizes for one message under a split action. */
export interface Splitter {
  /** Cuts `n` bytes into piece sizes (each ≥ 1, summing to `n`). */
  sizes(n: number): number[];
}

/** A splitter cycling through fixed sizes (values below 1 count as 1). */
export function fixedSplitter(sizes: readonly number[]): Splitter {
  const list = sizes.length === 0 ? [1] : sizes.map((s) => Math.max(1, Math.floor(s)));
  let i = 0;
  return {
    sizes(n: number): number[] {
      const out: number[] = [];
      for (let left = n; left > 0; ) {
        const s = Math.min(left, list[i++ % list.length]!);
        out.push(s);
        left -= s;
      }
      return out;
    },
  };
}

/** mulberry32: a tiny seeded PRNG, so a failing random split can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Default bounds of a seeded random split. */
const RANDOM_SPLIT_MIN = 1;
const RANDOM_SPLIT_MAX = 16;

/** A splitter of seeded random sizes in [min, max]. */
export function randomSplitter(seed: number, min = RANDOM_SPLIT_MIN, max = RANDOM_SPLIT_MAX): Splitter {
  const next = seededRandom(seed);
  const lo = Math.max(1, Math.floor(min));
  const hi = Math.max(lo, Math.floor(max));
  return {
    sizes(n: number): number[] {
      const out: number[] = [];
      for (let left = n; left > 0; ) {
        const s = Math.min(left, lo + Math.floor(next() * (hi - lo + 1)));
        out.push(s);
        left -= s;
      }
      return out;
    },
  };
}

/** A short description of a rule, for the proxy's record of what fired. */
export function describeRule(rule: Rule): string {
  const w = rule.when;
  const when = 'always' in w ? 'always' : 'afterBytes' in w ? `after ${w.afterBytes} bytes` : 'message' in w ? `${w.message}#${w.nth ?? 1}` : 'match';
  return `${rule.direction} ${when}: ${rule.action.do}`;
}
