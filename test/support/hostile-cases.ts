/**
 * The case table of the hostile fake-server tests: a case is a row — the server's script, how the
 * client is called, the expected outcome (a typed error with its code, or success and what to do
 * with the connection), and the expected state afterwards (what the server received, the bytes the
 * client sent). `hostileCases(rows)` makes one vitest test per row, all run by `runCase`, which
 * asserts RELIABILITY.md's rule for every failing row (settles within its deadline, the typed
 * error and code, the socket destroyed, no secret in the error chain) and, for every row, that the
 * server script ended cleanly: an assertion or error inside a script fails the test (only the
 * client going away while the script waits for it is an expected ending).
 */
import type net from 'node:net';
import { afterEach, expect, it } from 'vitest';
import type { PgStreamError } from '../../src/errors.js';
import type { ErrorCode } from '../../src/errors.js';
import { type ErrorClass, expectFailure, expectNoSecrets, within } from './fake-assert.js';
import { ClientGone, startFakeServer } from './fake-server.js';
import type { FakeScript, FakeServer, FakeSession } from './fake-server.js';

/** Default deadline of a row's call: the builders of the hostile files use a 2 s connect timeout. */
export const HOSTILE_WITHIN = 3_000;

/** A failing call. */
export interface Fails {
  readonly type: ErrorClass;
  readonly code: ErrorCode;
  readonly sqlstate?: string;
  /** Alternatives accepted for `code` (a race the row documents). */
  readonly orCode?: readonly ErrorCode[];
}

/** What a row's `then` and `check` get. */
export interface CaseContext<R> {
  readonly server: FakeServer;
  /** The first session (the one the client's socket opened). */
  readonly session: FakeSession;
  readonly socket: net.Socket;
  /** The call's result (a successful row) or null. */
  readonly result: R | null;
  /** The call's error (a failing row) or null. */
  readonly error: PgStreamError | null;
}

/** One case. */
export interface HostileCase<R = unknown> {
  readonly name: string;
  /** The server: one script for every connection, or one per connection in order. */
  readonly server: FakeScript | FakeScript[];
  /** Calls the library over `socket` (a fresh TCP connection to the server). */
  readonly call: (socket: net.Socket, server: FakeServer) => Promise<R>;
  /** The call must fail so, or succeed (`'ok'`). */
  readonly expect: Fails | 'ok';
  /** Strings (or byte strings, in hex/base64 too) no error may contain. */
  readonly secrets?: readonly (string | Uint8Array)[];
  /** Deadline of the call (default HOSTILE_WITHIN). */
  readonly withinMs?: number;
  /** A failing row's socket must be destroyed (default true). */
  readonly destroyed?: boolean;
  /** Exactly the frontend message types the server decoded, once the client is gone. */
  readonly received?: readonly string[];
  /** Exactly the bytes (hex) that crossed the TCP connection from the client, once it is gone. */
  readonly wireHex?: string;
  /** After a successful call: use and close the connection. */
  readonly then?: (result: R, ctx: CaseContext<R>) => Promise<void>;
  /** More assertions on the state afterwards. */
  readonly check?: (ctx: CaseContext<R>) => void | Promise<void>;
  /** The script may end with an error other than the client going away (the row says why). */
  readonly scriptMayFail?: string;
}

let open: FakeServer | null = null;
afterEach(async () => {
  await open?.close();
  open = null;
});

/** A typed row (keeps the call's result type for `then`). */
export function row<R>(c: HostileCase<R>): HostileCase<R> {
  return c;
}

/** Runs one case. */
export async function runCase<R>(c: HostileCase<R>): Promise<void> {
  const server = (open = await startFakeServer(c.server));
  const socket = server.dial();
  const withinMs = c.withinMs ?? HOSTILE_WITHIN;
  let result: R | null = null;
  let error: PgStreamError | null = null;
  if (c.expect === 'ok') {
    result = await within(c.call(socket, server), withinMs);
  } else {
    const f = c.expect;
    if (f.orCode === undefined) {
      error = await expectFailure(c.call(socket, server), {
        type: f.type, code: f.code, sqlstate: f.sqlstate, withinMs, secrets: c.secrets,
        socket: c.destroyed === false ? undefined : socket,
      });
    } else {
      const e = await within(c.call(socket, server).then(() => null, (x: unknown) => x), withinMs);
      expect(e, 'the call succeeded but must fail').not.toBeNull();
      expect(e).toBeInstanceOf(f.type);
      error = e as PgStreamError;
      expect([f.code, ...f.orCode]).toContain(error.code);
      if (c.secrets !== undefined) expectNoSecrets(error, c.secrets);
      if (c.destroyed !== false) expect(socket.destroyed, 'the socket must be destroyed').toBe(true);
    }
  }
  const session = await within(server.session(), 2_000, 'the server accepting the connection');
  const ctx: CaseContext<R> = { server, session, socket, result, error };
  if (result !== null && c.then !== undefined) await c.then(result, ctx);
  if (c.received !== undefined || c.wireHex !== undefined || (c.expect !== 'ok' && c.destroyed !== false)) {
    await within(session.gone, 2_000, 'the server seeing the client close');
  }
  if (c.received !== undefined) expect(session.types).toEqual(c.received);
  if (c.wireHex !== undefined) expect(Buffer.concat(session.wire).toString('hex')).toBe(c.wireHex);
  await c.check?.(ctx);
  // Every script must end, and end cleanly: an assertion that failed inside it fails the row.
  if (c.expect !== 'ok' || c.then !== undefined) socket.destroy();
  for (let i = 0; i < server.sessions.length; i++) {
    const s = await within(server.finished(i), 3_000, `the server script of connection ${i} ending`);
    if (c.scriptMayFail === undefined && s.error !== undefined && !(s.error instanceof ClientGone)) {
      throw new Error(`the server script of connection ${i} failed: ${String((s.error as Error)?.stack ?? s.error)}`);
    }
  }
}

/** One test per row. */
export function hostileCases(rows: readonly HostileCase<never>[] | readonly HostileCase<any>[]): void {
  for (const c of rows) it(c.name, () => runCase(c as HostileCase<unknown>));
}
