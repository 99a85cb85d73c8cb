/**
 * Prepared statements: the ones a caller prepares by name (`conn.prepare`), and the cache the
 * query layer keeps by SQL text for `format: 'auto'` (as pgx's statement cache does): the first
 * execution of a SQL text parses it under a generated name and describes it in the same round
 * trip (its results come back in text, so nothing waits for the description); later executions
 * bind the named statement with each parameter encoded by its type and the result columns
 * requested in binary wherever a binary decoder exists. The least recently used statement is
 * closed on the server when the cache is full.
 * https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-EXT-QUERY
 */
import type { FieldDescription } from '../protocol/messages.js';

/** A statement prepared on the server, with what the server said of it. */
export interface StatementInfo {
  /** The statement's name on the server. */
  readonly name: string;
  /** Its SQL text. */
  readonly sql: string;
  /** Parameter type OIDs (ParameterDescription); null until described. */
  paramTypes: readonly number[] | null;
  /** Result columns (RowDescription; empty for NoData); null until described. */
  fields: readonly FieldDescription[] | null;
  /**
   * Readers built for these columns, by result format and codec registry version, so that a
   * statement run many times (a pipeline) builds them once. Set by the query layer.
   */
  readers?: Map<string, unknown>;
}

/** Prefix of the names the cache gives its statements (a caller's own names should avoid it). */
export const CACHED_STATEMENT_PREFIX = 'pgs_';

/** Default number of cached statements per connection. */
export const DEFAULT_STATEMENT_CACHE_SIZE = 100;

/** The statement cache of one connection (see the module comment). */
export class StatementCache {
  readonly #entries = new Map<string, StatementInfo>();
  #counter = 0;

  /** `capacity`: statements kept (0 disables the cache: every execution parses unnamed). */
  constructor(readonly capacity: number = DEFAULT_STATEMENT_CACHE_SIZE) {}

  /** The described statement for `sql` (marked most recently used), or undefined. */
  ready(sql: string): StatementInfo | undefined {
    const entry = this.#entries.get(sql);
    if (entry === undefined || entry.fields === null) return undefined;
    this.#entries.delete(sql);
    this.#entries.set(sql, entry);
    return entry;
  }

  /** True while `sql` is being prepared (parsed, not yet described). */
  preparing(sql: string): boolean {
    const entry = this.#entries.get(sql);
    return entry !== undefined && entry.fields === null;
  }

  /**
   * A new entry for `sql` under a fresh name, and the entry evicted to make room (the caller closes
   * it on the server), or null when caching is off.
   */
  add(sql: string): { entry: StatementInfo; evicted: StatementInfo | null } | null {
    if (this.capacity <= 0) return null;
    let evicted: StatementInfo | null = null;
    if (this.#entries.size >= this.capacity) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) {
        evicted = this.#entries.get(oldest.value) ?? null;
        this.#entries.delete(oldest.value);
      }
    }
    const entry: StatementInfo = { name: `${CACHED_STATEMENT_PREFIX}${++this.#counter}`, sql, paramTypes: null, fields: null };
    this.#entries.set(sql, entry);
    return { entry, evicted };
  }

  /** Forgets `entry` (its Parse failed or was skipped, or the server no longer has it). */
  forget(entry: StatementInfo): void {
    if (this.#entries.get(entry.sql) === entry) this.#entries.delete(entry.sql);
  }

  /** Forgets the statement cached for `sql`, if any (the server said it is gone or stale). */
  forgetSql(sql: string): void {
    this.#entries.delete(sql);
  }

  /** Forgets everything (after DISCARD ALL / DEALLOCATE ALL, or a new session). */
  clear(): void {
    this.#entries.clear();
  }

  /** Statements cached. */
  get size(): number {
    return this.#entries.size;
  }
}
