/**
 * copySourceQuery: the query whose columns a COPY … TO writes, for copyTo().batches() without types
 * (described, as the ADBC driver does). Quoted names and literals, dollar quoting and comments must
 * not confuse it; anything else than COPY table|(query) TO is null (the caller must pass types).
 */
import { describe, expect, it } from 'vitest';
import { copySourceQuery } from '../../src/query/copy-sql.js';

describe('copySourceQuery', () => {
  it.each([
    ['COPY t TO STDOUT (FORMAT binary)', 'SELECT * FROM t'],
    ['copy public."My T" (a, "b c") to stdout with (format binary)', 'SELECT a, "b c" FROM public."My T"'],
    ['COPY "we""ird" TO STDOUT', 'SELECT * FROM "we""ird"'],
    ["COPY (SELECT ')' AS x, $$)$$, $q$ ) $q$ FROM t /* ) */) TO STDOUT (FORMAT binary)", "SELECT ')' AS x, $$)$$, $q$ ) $q$ FROM t /* ) */"],
    ["COPY (SELECT E'\\')' -- )\n) TO STDOUT", "SELECT E'\\')' -- )\n"],
    ['  -- leading comment\n COPY (VALUES (1)) TO STDOUT', 'VALUES (1)'],
    ['/* a /* nested */ comment */ COPY s.t TO STDOUT', 'SELECT * FROM s.t'],
  ])('%j → %j', (sql, query) => {
    expect(copySourceQuery(sql)).toBe(query);
  });

  it.each(['COPY t FROM STDIN', 'SELECT 1', 'COPY (SELECT 1 TO STDOUT', "COPY (SELECT ')' ) FROM STDIN", 'COPY', 'COPYt TO STDOUT', ''])('%j → null', (sql) => {
    expect(copySourceQuery(sql)).toBeNull();
  });
});
