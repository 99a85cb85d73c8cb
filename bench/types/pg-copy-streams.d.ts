/**
 * The part of `pg-copy-streams` (which ships no types) that the benchmarks use: COPY … TO STDOUT
 * as a Readable and COPY … FROM STDIN as a Writable, each submitted with `client.query()` of `pg`.
 */
declare module 'pg-copy-streams' {
  import type { Readable, Writable } from 'node:stream';
  import type { Submittable } from 'pg';

  /** COPY … TO STDOUT: the CopyData payloads as chunks. */
  export interface CopyToStream extends Readable, Submittable {}
  /** COPY … FROM STDIN: what is written is sent as CopyData; 'finish' after CommandComplete. */
  export interface CopyFromStream extends Writable, Submittable {}

  export function to(sql: string): CopyToStream;
  export function from(sql: string): CopyFromStream;
}
