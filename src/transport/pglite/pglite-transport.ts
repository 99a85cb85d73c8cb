/**
 * PGliteTransport: a `Transport` to an in-process PGlite (PostgreSQL compiled to WebAssembly,
 * `@electric-sql/pglite`) through its raw protocol calls, `execProtocolRawStream` (or
 * `execProtocolRaw`): the session's bytes go in, the backend's answer comes out, in the browser or
 * in Node.
 *
 * ```ts
 * const db = await PGlite.create();
 * const { conn } = await new ConnectionBuilder('postgres').connectTransport(new PGliteTransport(db));
 * ```
 *
 * How it works: each flush of the session becomes ONE call — its writes are cut into whole
 * messages (a call must never end inside a message) and run together; the answer is delivered to
 * the session's reader as it asks for input. The call is synchronous inside PGlite, so a call's
 * whole answer is in memory at once.
 *
 * Limits (PGlite has one backend and no network):
 * - No authentication: PGlite accepts any user (AuthenticationOk); a password is never asked for.
 * - No TLS: an SSLRequest or GSSENCRequest is answered `N` by the transport (PGlite would abort on
 *   it); the channel is in-process, so `confidential` is true.
 * - One session at a time per PGlite instance (a second transport is refused while one is open).
 *   At the end the backend is reset (ROLLBACK if needed, DISCARD ALL; `resetOnEnd`) for the next.
 * - No cancel: there is no second connection to send a CancelRequest on (`sendCancelRequest` is
 *   absent, so `conn.cancel()` is refused). A call never waits on the server anyway.
 * - COPY FROM STDIN: `conn.copyFrom` works, as the first statement of a simple Query; the whole COPY
 *   is held in memory and run in one call (./copy-in.ts). Through the extended protocol, or after
 *   other statements in the same Query, the server answers with an error instead.
 * - Notifications arrive in the answers to this session's own calls only.
 */
import { ClientError, ConnectionError, ErrorCode, PgStreamError } from '../../errors.js';
import { EncryptionResponse, FrontendCode, MessageCode, StartupCode, TransactionStatus } from '../../protocol/codes.js';
import { encodeQuery } from '../../protocol/frontend/query.js';
import { encodeSync } from '../../protocol/frontend/sync.js';
import { MessageWriter } from '../../protocol/writer.js';
import { Inbox } from '../inbox.js';
import type { ByteSink, Transport } from '../transport.js';
import { COPY_GUARD, heldCopyAnswer, mayCopyFromStdin, probeQuery } from './copy-in.js';
import { FrontendFramer, backendMessages, concatBytes, countFrames, lastTransactionStatus, querySql } from './frames.js';
import type { FrontendFrame } from './frames.js';
import type { PGliteLike, PGliteTransportOptions } from './pglite-like.js';

interface Waiter {
  resolve(): void;
  reject(err: PgStreamError): void;
}

/** PGlite instances with an open transport: one session at a time. */
const inUse = new WeakSet<object>();

function encoded(write: (w: MessageWriter) => void): Uint8Array {
  const w = new MessageWriter(64);
  write(w);
  return w.toBytes();
}

const SYNC = encoded(encodeSync);
const ROLLBACK = encoded((w) => encodeQuery(w, 'ROLLBACK'));
const DISCARD_ALL = encoded((w) => encodeQuery(w, 'DISCARD ALL'));
/** The answer to an SSLRequest or GSSENCRequest: no encryption. */
const NO_ENCRYPTION = Uint8Array.of(EncryptionResponse.REJECT);

/** The typed error for something PGlite threw. */
function pgliteError(err: unknown): PgStreamError {
  if (err instanceof PgStreamError) return err;
  const status = (err as { status?: unknown } | null)?.status;
  if ((err as { name?: unknown } | null)?.name === 'ExitStatus' || typeof status === 'number') {
    return new ConnectionError(ErrorCode.CONNECTION_CLOSED, `PGlite exited (status ${String(status)})`, { cause: err });
  }
  return new ConnectionError(ErrorCode.SOCKET_ERROR, `PGlite failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

/** A Transport to an in-process PGlite (see the module comment). */
export class PGliteTransport implements Transport {
  readonly encrypted = false;
  /** In-process: nothing crosses a network. */
  readonly confidential = true;
  readonly serverCertificate = null;
  readonly #db: PGliteLike;
  readonly #syncToFs: boolean | undefined;
  readonly #resetOnEnd: boolean;
  #error: PgStreamError | null = null;
  /** PGlite itself failed: no further call is made. */
  #dead = false;
  readonly #inbox = new Inbox((err) => this.#fail(err));
  #outbox: Uint8Array[] = [];
  #outWaiters: Waiter[] = [];
  #running: Promise<void> | null = null;
  readonly #framer = new FrontendFramer();
  #started = false;
  #terminated = false;
  /** A COPY FROM STDIN being collected: its Query and the session's messages since. */
  #hold: Uint8Array[] | null = null;
  /** The transaction status of the last ReadyForQuery delivered. */
  #status: number = TransactionStatus.IDLE;
  #ending: Promise<void> | null = null;
  #released = false;

  /** A transport to `db` (an open PGlite instance; it stays the caller's to close). */
  constructor(db: PGliteLike, options: PGliteTransportOptions = {}) {
    if (db === null || typeof db !== 'object' || typeof db.execProtocolRaw !== 'function') {
      throw new ClientError(ErrorCode.INVALID_ARGUMENT, 'PGliteTransport needs a PGlite instance (await PGlite.create())');
    }
    if (inUse.has(db)) {
      throw new ClientError(ErrorCode.INVALID_ARGUMENT, 'this PGlite instance already has an open session: PGlite has one backend (end the other session first)');
    }
    inUse.add(db);
    this.#db = db;
    this.#syncToFs = options.syncToFs;
    this.#resetOnEnd = options.resetOnEnd ?? true;
  }

  get error(): PgStreamError | null {
    return this.#error;
  }

  attach(sink: ByteSink): void {
    this.#inbox.attach(sink);
  }

  // ---------------------------------------------------------------- calls into PGlite

  /** One raw call; the answer is a fresh array owned by the transport. */
  async #exec(bytes: Uint8Array): Promise<Uint8Array> {
    if (this.#dead) throw this.#error ?? new ConnectionError(ErrorCode.CONNECTION_CLOSED, 'PGlite is gone');
    const db = this.#db;
    try {
      await db.waitReady;
      if (typeof db.execProtocolRawStream === 'function') {
        const parts: Uint8Array[] = [];
        // The pieces are views into PGlite's memory, valid only during the callback: copied.
        await db.execProtocolRawStream(bytes, { syncToFs: this.#syncToFs, onRawData: (data) => parts.push(data.slice()) });
        return parts.length === 1 ? parts[0]! : concatBytes(parts);
      }
      return await db.execProtocolRaw(bytes, { syncToFs: this.#syncToFs });
    } catch (err) {
      this.#dead = true;
      throw pgliteError(err);
    }
  }

  /** Runs `fn` under PGlite's query lock, so that its own API calls do not interleave. */
  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return typeof this.#db.runExclusive === 'function' ? this.#db.runExclusive(fn) : fn();
  }

  // ---------------------------------------------------------------- output

  write(data: Uint8Array): Promise<void> {
    if (this.#error !== null) return Promise.reject(this.#error);
    if (this.#ending !== null) return Promise.reject(new ConnectionError(ErrorCode.CONNECTION_CLOSED, 'the connection was closed'));
    this.#outbox.push(data);
    const p = new Promise<void>((resolve, reject) => this.#outWaiters.push({ resolve, reject }));
    this.#schedule();
    return p;
  }

  #schedule(): void {
    if (this.#running !== null) return;
    this.#running = Promise.resolve()
      .then(() => this.#drainOutbox())
      .finally(() => {
        this.#running = null;
        if (this.#outbox.length > 0) this.#schedule();
      });
  }

  /** Runs what was written, in order; each write resolves once its bytes were run (or held). */
  async #drainOutbox(): Promise<void> {
    while (this.#outbox.length > 0) {
      const parts = this.#outbox;
      const waiters = this.#outWaiters;
      this.#outbox = [];
      this.#outWaiters = [];
      try {
        if (this.#error !== null) throw this.#error;
        for (const p of parts) this.#framer.push(p);
        await this.#dispatch();
        for (const w of waiters) w.resolve();
      } catch (err) {
        const e = this.#fail(err instanceof PgStreamError ? err : pgliteError(err));
        for (const w of waiters) w.reject(e);
      }
    }
  }

  /** Sends every whole message received so far: ordinary ones batched into one call. */
  async #dispatch(): Promise<void> {
    const batch: FrontendFrame[] = [];
    for (let f = this.#framer.next(); f !== null; f = this.#framer.next()) {
      if (this.#terminated) continue;
      if (this.#framer.untyped) {
        await this.#startupPacket(f);
      } else if (this.#hold !== null) {
        this.#hold.push(f.bytes);
        if (f.type === FrontendCode.COPY_DONE || f.type === FrontendCode.COPY_FAIL) {
          const held = concatBytes(this.#hold);
          this.#hold = null;
          this.#deliver(heldCopyAnswer(await this.#exclusive(() => this.#exec(held))));
        }
      } else if (f.type === FrontendCode.TERMINATE) {
        // Never passed on: a Terminate would end PGlite's one backend for good.
        await this.#runBatch(batch);
        this.#terminated = true;
      } else if (f.type === FrontendCode.QUERY && mayCopyFromStdin(querySql(f))) {
        await this.#runBatch(batch);
        const outcome = await this.#exclusive(() => probeQuery((b) => this.#exec(b), f, this.#status));
        this.#deliver(outcome.deliver);
        if (outcome.copying) this.#hold = [f.bytes];
      } else {
        batch.push(f);
      }
    }
    await this.#runBatch(batch);
  }

  /** The StartupMessage, or an encryption request answered here (see the module comment). */
  async #startupPacket(f: FrontendFrame): Promise<void> {
    switch (f.code) {
      case StartupCode.SSL_REQUEST:
      case StartupCode.GSSENC_REQUEST:
        this.#deliver(NO_ENCRYPTION);
        return;
      case StartupCode.CANCEL_REQUEST:
        throw new ConnectionError(ErrorCode.SOCKET_ERROR, 'PGlite cannot cancel: a CancelRequest has no second connection to travel on');
      default: {
        this.#framer.untyped = false;
        this.#started = true;
        this.#deliver(await this.#exclusive(() => this.#exec(f.bytes)));
      }
    }
  }

  /** Runs a batch of ordinary messages in one call, under the COPY guard (./copy-in.ts). */
  async #runBatch(batch: FrontendFrame[]): Promise<void> {
    if (batch.length === 0) return;
    const bytes = concatBytes([...batch.map((f) => f.bytes), COPY_GUARD]);
    const syncs = countFrames(batch, FrontendCode.SYNC);
    batch.length = 0;
    await this.#exclusive(async () => {
      const answer = await this.#exec(bytes);
      const spans = backendMessages(answer);
      this.#deliver(answer);
      if (!spans.some((s) => s.type === MessageCode.COPY_IN_RESPONSE)) return;
      // A COPY FROM STDIN started by an Execute swallowed the Syncs after it (the backend ignores
      // Sync during COPY) before the guard ended it: one Sync per missing ReadyForQuery.
      let missing = syncs - spans.filter((s) => s.type === MessageCode.READY_FOR_QUERY).length;
      for (; missing > 0; missing--) this.#deliver(await this.#exec(SYNC));
    });
  }

  // ---------------------------------------------------------------- input

  /** Queues an answer for the session (a fresh array: no copy needed). */
  #deliver(answer: Uint8Array): void {
    if (answer.length === 0) return;
    const status = lastTransactionStatus(answer, backendMessages(answer));
    if (status !== null) this.#status = status;
    this.#inbox.add(answer, this.#error);
  }

  fill(): Promise<void> {
    return this.#inbox.fill(this.#ending !== null, this.#error);
  }

  // ---------------------------------------------------------------- closing

  end(): Promise<void> {
    if (this.#ending !== null) return this.#ending;
    this.#ending = this.#finish();
    this.#inbox.close();
    return this.#ending;
  }

  destroy(err: PgStreamError): void {
    this.#fail(err);
  }

  #fail(err: PgStreamError): PgStreamError {
    if (this.#error !== null) return this.#error;
    this.#error = err;
    for (const w of this.#outWaiters.splice(0)) w.reject(err);
    this.#outbox = [];
    this.#inbox.wake(err);
    this.#ending ??= this.#finish();
    return err;
  }

  /** Lets what was written run, resets the backend for the next user, and frees the instance. */
  async #finish(): Promise<void> {
    while (this.#running !== null) await this.#running;
    this.#hold = null;
    if (this.#resetOnEnd && this.#started && !this.#dead && !this.#released) {
      // A Sync first leaves any ignore-till-Sync state an unfinished extended query left behind.
      const reset = this.#status === TransactionStatus.IDLE ? [SYNC, DISCARD_ALL] : [SYNC, ROLLBACK, DISCARD_ALL];
      await this.#exclusive(() => this.#exec(concatBytes(reset))).catch(() => undefined);
    }
    if (!this.#released) {
      this.#released = true;
      inUse.delete(this.#db);
    }
  }
}
