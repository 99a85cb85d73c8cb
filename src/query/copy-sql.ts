/**
 * The query whose columns a `COPY … TO STDOUT` writes, for learning their types without running it
 * (as the ADBC PostgreSQL driver does): `COPY (query) TO …` → the query; `COPY table [(a, b)] TO …`
 * → `SELECT * FROM table` (or `SELECT a, b FROM table`). The SQL is only scanned — quoted
 * identifiers and literals, dollar quoting and comments are skipped — never rewritten otherwise.
 */

const SPACE = /\s/;
const WORD = /[A-Za-z0-9_$\u0080-\uffff]/;

/** Index after the whitespace and comments from `i`. */
function skipSpace(sql: string, i: number): number {
  for (;;) {
    while (i < sql.length && SPACE.test(sql[i]!)) i++;
    if (sql.startsWith('--', i)) {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl + 1;
    } else if (sql.startsWith('/*', i)) {
      let depth = 0;
      do {
        if (sql.startsWith('/*', i)) {
          depth++;
          i += 2;
        } else if (sql.startsWith('*/', i)) {
          depth--;
          i += 2;
        } else if (i >= sql.length) {
          return i;
        } else {
          i++;
        }
      } while (depth > 0);
    } else {
      return i;
    }
  }
}

/** Index after the quoted token starting at `i` (quote `q`, doubled to escape; E'' strings also take backslashes). */
function skipQuoted(sql: string, i: number, q: string, backslash: boolean): number {
  for (i++; i < sql.length; i++) {
    const c = sql[i];
    if (backslash && c === '\\') i++;
    else if (c === q) {
      if (sql[i + 1] === q) i++;
      else return i + 1;
    }
  }
  return -1;
}

/** Index after the parenthesised text opening at `i`, or -1 when it does not close. */
function skipParens(sql: string, i: number): number {
  let depth = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === '(') {
      depth++;
      i++;
    } else if (c === ')') {
      depth--;
      i++;
      if (depth === 0) return i;
    } else if (c === "'" || c === '"') {
      const backslash = c === "'" && i > 0 && (sql[i - 1] === 'E' || sql[i - 1] === 'e') && !WORD.test(sql[i - 2] ?? ' ');
      i = skipQuoted(sql, i, c, backslash);
      if (i < 0) return -1;
    } else if (c === '$') {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (tag !== null && !WORD.test(sql[i - 1] ?? ' ')) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        if (end < 0) return -1;
        i = end + tag[0].length;
      } else {
        i++;
      }
    } else if (sql.startsWith('--', i) || sql.startsWith('/*', i)) {
      i = skipSpace(sql, i);
    } else {
      i++;
    }
  }
  return -1;
}

/** Index after the (possibly qualified, possibly quoted) name at `i`, or -1. */
function skipName(sql: string, i: number): number {
  for (;;) {
    if (sql[i] === '"') {
      i = skipQuoted(sql, i, '"', false);
      if (i < 0) return -1;
    } else {
      const start = i;
      while (i < sql.length && WORD.test(sql[i]!)) i++;
      if (i === start) return -1;
    }
    const dot = skipSpace(sql, i);
    if (sql[dot] !== '.') return i;
    i = skipSpace(sql, dot + 1);
  }
}

/** The query describing the columns `copySql` writes, or null when it is not a COPY … TO this can read. */
export function copySourceQuery(copySql: string): string | null {
  let i = skipSpace(copySql, 0);
  if (!/^copy\b/i.test(copySql.slice(i, i + 5))) return null;
  i = skipSpace(copySql, i + 4);
  let query: string;
  if (copySql[i] === '(') {
    const end = skipParens(copySql, i);
    if (end < 0) return null;
    query = copySql.slice(i + 1, end - 1);
    i = end;
  } else {
    const end = skipName(copySql, i);
    if (end < 0) return null;
    const table = copySql.slice(i, end);
    i = skipSpace(copySql, end);
    let columns = '*';
    if (copySql[i] === '(') {
      const close = skipParens(copySql, i);
      if (close < 0) return null;
      columns = copySql.slice(i + 1, close - 1);
      i = close;
    }
    query = `SELECT ${columns} FROM ${table}`;
  }
  i = skipSpace(copySql, i);
  return /^to\b/i.test(copySql.slice(i, i + 3)) ? query : null;
}
