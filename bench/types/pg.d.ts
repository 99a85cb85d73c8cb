/**
 * The part of `pg` (node-postgres 8, which ships no types) that the benchmarks use: a Client, the
 * Query submittable with row events, and the type-parser hook. Fields are typed as the server's
 * text (`string | null`): every benchmark passes identity type parsers (bench/e2e/common.mjs
 * `pgTextTypes`) or reads only text.
 */
declare module 'pg' {
  import type { EventEmitter } from 'node:events';
  import type { ConnectionOptions } from 'node:tls';

  /** What `client.query()` accepts and hands back as is: a Query, or pg-copy-streams' streams. */
  export interface Submittable {
    submit(connection: unknown): void;
  }

  /** Connection settings (the subset the benchmarks set). */
  export interface ClientConfig {
    host?: string;
    port?: number;
    user?: string;
    password?: string;
    database?: string;
    ssl?: ConnectionOptions | boolean;
    /** Send queries without waiting for the previous one's result (pg 8.23+). */
    pipeline?: boolean;
  }

  /** Per-query type parsers: (type OID, format) → a function of the field's text. */
  export interface TypeOverrides {
    getTypeParser(oid: number, format?: string): (value: string) => unknown;
  }

  /** A query with options. */
  export interface QueryConfig {
    /** Prepare under this name once per connection, then reuse it. */
    name?: string;
    text: string;
    values?: unknown[];
    /** Rows as arrays of fields instead of objects keyed by column name. */
    rowMode?: 'array';
    types?: TypeOverrides;
  }

  /** A completed query's rows. */
  export interface QueryResult<R> {
    rows: R[];
    rowCount: number | null;
    command: string;
  }

  /** A query whose rows arrive as 'row' events (no backpressure). */
  export class Query extends EventEmitter implements Submittable {
    constructor(config: QueryConfig);
    submit(connection: unknown): void;
    on(event: 'row', listener: (row: (string | null)[]) => void): this;
    on(event: 'error', listener: (err: Error) => void): this;
    on(event: 'end', listener: () => void): this;
  }

  /** One connection. */
  export class Client {
    constructor(config?: ClientConfig);
    connect(): Promise<void>;
    query<S extends Submittable>(submittable: S): S;
    query(config: QueryConfig & { rowMode: 'array' }): Promise<QueryResult<(string | null)[]>>;
    query(textOrConfig: string | QueryConfig): Promise<QueryResult<Record<string, string | null>>>;
    end(): Promise<void>;
  }

  /** The module's default export (ESM: `(await import('pg')).default`). */
  const pg: { Client: typeof Client; Query: typeof Query };
  export default pg;
}
