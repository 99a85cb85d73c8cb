/**
 * The part of `@electric-sql/pglite`'s `PGlite` the PGlite transport uses, typed structurally: the
 * library never imports PGlite (the caller passes an instance), so it stays an optional peer and the
 * browser bundle does not carry it.
 */

/** Options of PGlite's raw protocol calls. */
export interface PGliteExecOptions {
  /** Sync PGlite's file system after the call (PGlite's default: true). */
  syncToFs?: boolean;
}

/** A PGlite instance (`await PGlite.create()`), as the transport uses it. */
export interface PGliteLike {
  /** Runs raw frontend bytes through the backend; resolves to its raw answer. */
  execProtocolRaw(message: Uint8Array, options?: PGliteExecOptions): Promise<Uint8Array>;
  /** The same, handing the answer over in pieces as the backend writes them (preferred when present). */
  execProtocolRawStream?(message: Uint8Array, options: PGliteExecOptions & { onRawData: (data: Uint8Array) => void }): Promise<void>;
  /** Runs `fn` while PGlite's own query calls wait (its query lock). */
  runExclusive?<T>(fn: () => Promise<T>): Promise<T>;
  /** Resolves once the instance is ready. */
  readonly waitReady?: Promise<void>;
}

/** Options of `new PGliteTransport(db, options)`. */
export interface PGliteTransportOptions {
  /** Passed to every PGlite call: false skips PGlite's file-system sync after each call (default: PGlite's, true). */
  readonly syncToFs?: boolean;
  /**
   * When the session ends, leave PGlite's one backend clean for whoever uses it next (another
   * session, PGlite's own API): ROLLBACK an open transaction, then DISCARD ALL — what a connection
   * pooler does between clients. Default true.
   */
  readonly resetOnEnd?: boolean;
}
