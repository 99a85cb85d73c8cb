/**
 * Random fault plans for the soak's proxied connections (./fault-proxy.ts), drawn from a seeded
 * generator so that a run can be replayed: none, split writes, delays, a drop (FIN or RST) after a
 * random number of bytes in either direction, a half-open stall, a truncated message, a duplicated
 * DataRow, a reordered CommandComplete. The startup is spared (the first bytes of each direction)
 * so that most faults land in the query phase.
 */
import type { Plan, Rule } from './fault-proxy.js';
import type { Direction } from './fault-wire.js';

/** Bytes of each direction left alone (startup, authentication, the first statements). */
const SPARE_BYTES = 4_096;

/** A kind of fault, as counted in the soak's figures. */
export type FaultKind = 'none' | 'split' | 'delay' | 'drop-fin' | 'drop-rst' | 'stall' | 'truncate' | 'duplicate-datarow' | 'reorder';

/** One connection's plan and the kind of fault it carries. */
export interface DrawnPlan {
  readonly kind: FaultKind;
  readonly plan: Plan;
}

/** Draws a plan from `random` (values in [0, 1)). */
export function drawPlan(random: () => number): DrawnPlan {
  const r = random();
  const direction: Direction = random() < 0.6 ? 'backend' : 'frontend';
  const at = SPARE_BYTES + Math.floor(random() * 1_000_000);
  const rule = (kind: FaultKind, ...rules: Rule[]): DrawnPlan => ({ kind, plan: rules });
  if (r < 0.25) return rule('none');
  if (r < 0.38) return rule('split', { direction: 'both', when: { always: true }, action: { do: 'split', seed: Math.floor(random() * 2 ** 31), min: 1, max: 2048, gapMs: 0 } });
  if (r < 0.46) return rule('delay', { direction: 'frontend', when: { afterBytes: SPARE_BYTES }, action: { do: 'delay', ms: 1 + Math.floor(random() * 3) } });
  if (r < 0.6) return rule('drop-fin', { direction, when: { afterBytes: at }, action: { do: 'drop', how: 'fin' } });
  if (r < 0.74) return rule('drop-rst', { direction, when: { afterBytes: at }, action: { do: 'drop', how: 'rst' } });
  if (r < 0.82) return rule('stall', { direction, when: { afterBytes: at }, action: { do: 'stall', both: random() < 0.5 } });
  if (r < 0.88) return rule('truncate', { direction, when: { afterBytes: at }, action: { do: 'truncate', keep: 1 + Math.floor(random() * 4), how: random() < 0.5 ? 'fin' : 'rst' } });
  if (r < 0.94) {
    const nth = 1 + Math.floor(random() * 2_000);
    let seen = 0;
    return rule('duplicate-datarow', { direction: 'backend', when: { match: (m) => m.name === 'DataRow' && ++seen === nth, once: true }, action: { do: 'duplicate' } });
  }
  const nth = 2 + Math.floor(random() * 50);
  return rule('reorder', { direction: 'backend', when: { message: 'CommandComplete', nth }, action: { do: 'reorder' } });
}
