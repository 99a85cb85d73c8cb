/**
 * The trace page's live mode: PGlite (PostgreSQL compiled to WebAssembly) runs in the page, a
 * session of this library talks to it through PGliteTransport, and the session's tracer hands every
 * message, both directions, to the page as a PQtrace line while it happens.
 *
 * PGlite is an optional peer of the package and is not in the page's bundle: it is imported at run
 * time from a URL (see `pgliteUrl`), its ES module entry `dist/index.js`, which fetches its runtime
 * files (pglite.wasm, pglite.data, initdb.wasm) from next to itself.
 */
import { ConnectionBuilder, MessageCode, PGliteTransport, Tracer } from '../../../browser.js';
import type { Connection, PGliteLike } from '../../../browser.js';
import { ClientError, ErrorCode, ServerError } from '../../../errors.js';

/** Where the page looks for PGlite when neither the address nor the page says otherwise (next to the page). */
export const DEFAULT_PGLITE_URL = './pglite/index.js';
/** The `<meta name>` of index.html that holds the PGlite URL set at build time. */
export const PGLITE_META = 'pg-stream-pglite';
/** The query parameter that overrides it: `index.html?pglite=<URL of PGlite's dist/index.js>`. */
export const PGLITE_PARAM = 'pglite';

/** How a statement is sent: a simple Query, or the extended protocol (Parse, Bind, Describe, Execute, Sync). */
export type QueryMode = 'simple' | 'extended';

/** What one run did, for the status line. */
export interface RunSummary {
  /** Command tags of the statements that completed. */
  readonly commands: readonly string[];
  /** DataRow messages received. */
  readonly rows: number;
  /** The server's error message, when a statement failed. */
  readonly error: string | null;
}

/** PGlite's module as the page uses it: the class with its async factory. */
interface PGliteModule {
  readonly PGlite: { create(): Promise<PGliteLike> };
}

/** The PGlite URL: `?pglite=` first, then the page's `<meta name="pg-stream-pglite">`, then the default; resolved against the page. */
export function pgliteUrl(location: Location, doc: Document): string {
  const fromQuery = new URLSearchParams(location.search).get(PGLITE_PARAM);
  const fromMeta = doc.querySelector<HTMLMetaElement>(`meta[name="${PGLITE_META}"]`)?.content;
  const url = fromQuery !== null && fromQuery !== '' ? fromQuery : fromMeta !== undefined && fromMeta !== '' ? fromMeta : DEFAULT_PGLITE_URL;
  return new URL(url, location.href).href;
}

/** Imports PGlite from `url`; a failure says where it looked and how to make it work. */
async function loadPglite(url: string): Promise<PGliteModule> {
  let mod: Partial<PGliteModule>;
  try {
    mod = (await import(/* @vite-ignore */ url)) as Partial<PGliteModule>;
  } catch (err) {
    throw new ClientError(
      ErrorCode.INVALID_ARGUMENT,
      `could not load PGlite from ${url} (${err instanceof Error ? err.message : String(err)}). Serve the page with \`npx pg-stream trace --page\` ` +
        'where @electric-sql/pglite is installed, or open it with ?pglite=<URL of @electric-sql/pglite\'s dist/index.js>',
    );
  }
  if (typeof mod.PGlite?.create !== 'function') throw new ClientError(ErrorCode.INVALID_ARGUMENT, `${url} is not PGlite's module (it exports no PGlite class)`);
  return mod as PGliteModule;
}

/** A session against a PGlite in the page, traced line by line. */
export class LiveSession {
  private constructor(private readonly conn: Connection) {}

  /** Loads PGlite from `url`, starts it (seconds: it runs initdb) and connects; every message goes to `onLine`. */
  static async start(url: string, onLine: (line: string) => void): Promise<LiveSession> {
    const { PGlite } = await loadPglite(url);
    const db = await PGlite.create();
    const { conn } = await new ConnectionBuilder('postgres')
      .database('postgres')
      // performance.now() gives the fractions of a millisecond that Date.now() lacks (PQtrace prints microseconds).
      .trace(new Tracer(onLine, { timestamps: true, now: () => performance.timeOrigin + performance.now() }))
      .connectTransport(new PGliteTransport(db));
    return new LiveSession(conn);
  }

  /** Runs `sql`; its messages reach the trace as they go. SQL errors are part of the summary, not thrown. */
  async run(sql: string, mode: QueryMode): Promise<RunSummary> {
    if (mode === 'extended') {
      try {
        const result = await this.conn.run(sql);
        return { commands: [result.command], rows: result.rows.length, error: null };
      } catch (err) {
        if (err instanceof ServerError) return { commands: [], rows: 0, error: err.message };
        throw err;
      }
    }
    this.conn.query(sql);
    await this.conn.flush();
    const commands: string[] = [];
    let rows = 0;
    let error: string | null = null;
    for (;;) {
      const msg = this.conn.tryRecv() ?? (await this.conn.recv());
      if (msg.code === MessageCode.DATA_ROW) rows++;
      else if (msg.type === 'CommandComplete') commands.push(msg.tag);
      else if (msg.type === 'ErrorResponse') error = msg.fields.get('M') ?? 'the statement failed';
      else if (msg.code === MessageCode.READY_FOR_QUERY) return { commands, rows, error };
    }
  }

  /** The server's version, as it reported it at startup (`server_version`). */
  get serverVersion(): string {
    return this.conn.parameters.get('server_version') ?? '';
  }

  /** Ends the session (Terminate). */
  close(): Promise<void> {
    return this.conn.close();
  }
}
