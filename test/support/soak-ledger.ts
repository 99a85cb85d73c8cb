/**
 * The soak's ledger of writes: every row id the client asked the server to write, and what the
 * client was told — committed, not done (failed, rolled back, skipped, timed out, lost before what
 * commits it was sent), or outcome unknown (PGS_OUTCOME_UNKNOWN). At the end it is compared with
 * the table: committed rows must be there with the right value, not-done rows must not, unknown
 * rows are counted on either side (reconciled), and no row may be there that was never asked for.
 */
import { ErrorCode, PgStreamError, ServerError } from '../../src/index.js';

/** What the client was told about a write. */
export type Told = 'committed' | 'failed' | 'unknown';

/** The value a row of id `id` carries (so the checksum covers values too). */
export function valueOf(id: number): number {
  return (id * 7919) % 1_000_003;
}

/** The name a rejection is counted under: `server:<SQLSTATE>`, a PGS_ code, or `untyped`. */
export function codeName(err: unknown): string {
  if (err instanceof ServerError) return `server:${err.sqlstate}`;
  if (err instanceof PgStreamError) return err.code;
  return `untyped:${err instanceof Error ? err.name : typeof err}`;
}

/** What a rejection says about a write: not done, or unknown. An untyped error is unknown (and counted as a failed check elsewhere). */
export function toldOf(err: unknown): Told {
  if (err instanceof PgStreamError && err.code === ErrorCode.OUTCOME_UNKNOWN) return 'unknown';
  if (err instanceof PgStreamError) return 'failed';
  return 'unknown';
}

/** The outcome of the comparison with the table. */
export interface Reconciliation {
  readonly asked: number;
  /** Writes whose call never settled (a hang): nothing was told. */
  readonly untold: number;
  readonly committed: number;
  readonly failed: number;
  readonly unknown: number;
  /** Unknown writes found in the table (the server had committed them) and not found. */
  readonly unknownFound: number;
  readonly unknownMissing: number;
  /** Rows in the table. */
  readonly rowsFound: number;
  /** Rows the client was told were committed plus unknown ones found: what the table must hold. */
  readonly rowsExpected: number;
  /** Committed writes missing from the table. */
  readonly lostCommitted: number[];
  /** Writes told not done that are in the table anyway. */
  readonly phantomFailed: number[];
  /** Rows in the table nobody asked for. */
  readonly strangers: number[];
  /** Rows whose value is not what was written. */
  readonly wrongValues: number[];
  /** The checksum of the expected rows and of the table (sum of ids and values, as strings). */
  readonly checksumExpected: string;
  readonly checksumFound: string;
}

/** How a Told is stored: one byte per row id (ids are handed out in sequence from 1). */
const ASKED = 1;
const CODE: Readonly<Record<Told, number>> = { committed: 2, failed: 3, unknown: 4 };
const TOLD: readonly (Told | null)[] = [null, null, 'committed', 'failed', 'unknown'];

/** Every write of the soak, by row id (one byte each, so the ledger itself stays small). */
export class Ledger {
  #told = new Uint8Array(1 << 16);
  #next = 1;

  /** Row ids handed out so far (the highest id). */
  get lastId(): number {
    return this.#next - 1;
  }

  /** `n` fresh row ids. */
  allocate(n: number): number[] {
    const out: number[] = [];
    while (this.#next + n >= this.#told.length) {
      const grown = new Uint8Array(this.#told.length * 2);
      grown.set(this.#told);
      this.#told = grown;
    }
    for (let i = 0; i < n; i++) {
      this.#told[this.#next] = ASKED;
      out.push(this.#next++);
    }
    return out;
  }

  /** Records what the client was told about `ids`; telling twice is a bug of the soak itself. */
  tell(ids: readonly number[], told: Told): void {
    for (const id of ids) {
      if (this.#told[id] !== ASKED) throw new Error(`soak: row ${id} was told twice or never asked`);
      this.#told[id] = CODE[told];
    }
  }

  /** A committed id, for a deliberate duplicate-key failure (null while none found). */
  someCommitted(pick: () => number): number | null {
    if (this.#next === 1) return null;
    for (let tries = 0; tries < 8; tries++) {
      const id = 1 + Math.floor(pick() * (this.#next - 1));
      if (this.#told[id] === CODE.committed) return id;
    }
    return null;
  }

  /** Every id asked for and what was told (null: nothing told yet — a call that never settled). */
  *#entries(): Generator<[number, Told | null]> {
    for (let id = 1; id < this.#next; id++) yield [id, TOLD[this.#told[id]!] ?? null];
  }

  /** Compares with the table's rows (id → value). */
  reconcile(rows: ReadonlyMap<number, number>): Reconciliation {
    let committed = 0;
    let failed = 0;
    let unknown = 0;
    let unknownFound = 0;
    let sumId = 0n;
    let sumV = 0n;
    const lostCommitted: number[] = [];
    const phantomFailed: number[] = [];
    let untold = 0;
    for (const [id, told] of this.#entries()) {
      const there = rows.has(id);
      if (told === null) {
        // A call that never settled (a hang, itself a failed check): counted apart, like an unknown one.
        untold++;
        if (there) {
          sumId += BigInt(id);
          sumV += BigInt(valueOf(id));
          unknownFound++;
        }
        continue;
      }
      if (told === 'committed') {
        committed++;
        if (!there) lostCommitted.push(id);
      } else if (told === 'failed') {
        failed++;
        if (there) phantomFailed.push(id);
      } else {
        unknown++;
        if (there) unknownFound++;
      }
      if (told === 'committed' || (told === 'unknown' && there)) {
        sumId += BigInt(id);
        sumV += BigInt(valueOf(id));
      }
    }
    const strangers: number[] = [];
    const wrongValues: number[] = [];
    let foundId = 0n;
    let foundV = 0n;
    for (const [id, v] of rows) {
      if (id < 1 || id >= this.#next) strangers.push(id);
      if (v !== valueOf(id)) wrongValues.push(id);
      foundId += BigInt(id);
      foundV += BigInt(v);
    }
    return {
      asked: this.#next - 1,
      untold,
      committed,
      failed,
      unknown,
      unknownFound,
      unknownMissing: unknown - unknownFound,
      rowsFound: rows.size,
      rowsExpected: committed + unknownFound,
      lostCommitted: lostCommitted.slice(0, 20),
      phantomFailed: phantomFailed.slice(0, 20),
      strangers: strangers.slice(0, 20),
      wrongValues: wrongValues.slice(0, 20),
      checksumExpected: `${sumId}/${sumV}`,
      checksumFound: `${foundId}/${foundV}`,
    };
  }
}
