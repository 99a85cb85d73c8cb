/**
 * Resumable framing of a backend byte stream held in the input region.
 *
 * `scan(start, end, budget)` frames every complete message in [start, end) into the message table
 * and, for DataRow, indexes each field (offset, length, -1 = NULL), so JS can slice strings
 * without looking at the bytes again. Whether the batch's fields are all ASCII comes with every
 * scan (RESULT_ASCII: then every field is one substring of one batch string); for a batch that is
 * not, `classify()` writes an ASCII flag per field. It stops cleanly, never traps:
 * - at an incomplete message or the end of the input (NEED_MORE; the caller adds bytes and rescans
 *   from RESULT_STOP, nothing is rescanned twice);
 * - once `budget` bytes have been framed (BUDGET), so that JS decodes in batches of ~64 KiB;
 * - when a table is full (TABLE_FULL), or at a message longer than the input region (TOO_BIG,
 *   with its length: JS reads it on its slow path);
 * - at the first protocol violation (a negative status), after the messages before it.
 * Lengths are validated from the 5-byte header before the body arrives (RELIABILITY.md case 1);
 * DataRow bodies are checked against CVE-2026-32286 (negative field length other than -1) and
 * CVE-2026-6477 (field running past the message) classes, and for bytes left over.
 */
import {
  FIELDS, FIELD_WORDS, INPUT, INPUT_SIZE, MAX_FIELDS, MAX_MESSAGES, MESSAGES, MESSAGE_WORDS,
  RESULT, RESULT_ASCII, RESULT_DETAIL, RESULT_FIELDS, RESULT_LENGTH, RESULT_MESSAGES, RESULT_STOP, RESULT_TYPE,
} from './layout';
import {
  STATUS_BAD_ARGUMENT, STATUS_BUDGET, STATUS_FIELD_COUNT, STATUS_FIELD_LENGTH, STATUS_FIELD_OVERRUN,
  STATUS_LENGTH_MISMATCH, STATUS_LENGTH_TOO_SHORT, STATUS_NEED_MORE, STATUS_TABLE_FULL, STATUS_TOO_BIG,
  STATUS_TOO_LARGE, STATUS_TRAILING_BYTES, STATUS_UNKNOWN_TYPE,
} from './status';
import { maxLengthOf, minLengthOf } from './message-lengths';
import { highBits } from './ascii';
import { DATA_ROW, DEFAULT_MAX_LENGTH, EMPTY, MAX_PROTOCOL_LENGTH, NULL_LENGTH } from './message-codes';
import { tablesChanged } from './columns/gather';

/** Bytes of the type byte and the length word. */
const HEADER: i32 = 5;

/** The configured cap for DataRow, CopyData, RowDescription, FunctionCallResponse. */
let maxLength: i32 = DEFAULT_MAX_LENGTH;
/** Index of the offending field when a DataRow check fails. */
let badField: i32 = 0;
/** The top bits of every DataRow field byte framed by this scan (0: the batch is all ASCII). */
let batchHighBits: i32 = 0;

/** Sets the cap for the large message types; 0 when accepted, STATUS_BAD_ARGUMENT otherwise. */
export function configure(max: i32): i32 {
  if (max < EMPTY || max > MAX_PROTOCOL_LENGTH) return STATUS_BAD_ARGUMENT;
  maxLength = max;
  return 0;
}

@inline function be32(p: usize): i32 {
  return bswap<i32>(load<i32>(p));
}

@inline function result(slot: i32, value: i32): void {
  store<i32>(RESULT + (slot << 2), value);
}

/** Writes the result block and returns `status`. */
function report(status: i32, stop: i32, messages: i32, fields: i32, length: i32, type: i32, detail: i32): i32 {
  result(RESULT_STOP, stop);
  result(RESULT_MESSAGES, messages);
  result(RESULT_FIELDS, fields);
  result(RESULT_LENGTH, length);
  result(RESULT_TYPE, type);
  result(RESULT_DETAIL, detail);
  result(RESULT_ASCII, <i32>(batchHighBits == 0));
  return status;
}

/**
 * Checks a declared length against the bounds of its type: 0 when acceptable, else a status
 * (the broken bound goes to `badField` for the error message).
 */
function checkHeader(type: i32, length: i32): i32 {
  const min = minLengthOf(type);
  if (min == 0) return STATUS_UNKNOWN_TYPE;
  const cap = maxLengthOf(type);
  const max = cap == 0 ? maxLength : cap;
  if (length < EMPTY) {
    badField = EMPTY;
    return STATUS_LENGTH_TOO_SHORT;
  }
  if (min == max) {
    badField = min;
    return length == min ? 0 : STATUS_LENGTH_MISMATCH;
  }
  if (length < min) {
    badField = min;
    return STATUS_LENGTH_TOO_SHORT;
  }
  if (length > max) {
    badField = max;
    return STATUS_TOO_LARGE;
  }
  return 0;
}

/**
 * Indexes the `count` fields of a DataRow body into the field table from entry `first`, folding
 * their bytes into `batchHighBits`; 0 when the body is well formed, else a status with the
 * offending field in `badField`.
 */
@inline function indexRow(body: usize, bodyLength: i32, first: i32, count: i32): i32 {
  // Each field needs at least its length word: refuse before touching the table (case 6).
  if (count << 2 > bodyLength - 2) {
    badField = count;
    return STATUS_FIELD_COUNT;
  }
  const end = body + bodyLength;
  let q = body + 2;
  let f = FIELDS + (first << 3);
  let high = 0;
  for (let i = 0; i < count; i++) {
    if (<i32>(end - q) < 4) {
      badField = i;
      return STATUS_FIELD_OVERRUN;
    }
    const length = be32(q);
    q += 4;
    store<i32>(f, <i32>q);
    store<i32>(f, length, 4);
    if (length > 0) {
      if (length > <i32>(end - q)) {
        badField = i;
        return STATUS_FIELD_OVERRUN;
      }
      high |= highBits(q, length);
      q += length;
    } else {
      if (length != 0 && length != NULL_LENGTH) {
        badField = i;
        return STATUS_FIELD_LENGTH;
      }
    }
    f += FIELD_WORDS << 2;
  }
  if (q != end) {
    badField = <i32>(end - q);
    return STATUS_TRAILING_BYTES;
  }
  batchHighBits |= high;
  return 0;
}

/** Frames the messages in [start, end) of the input region; see the module comment. */
export function scan(start: i32, end: i32, budget: i32): i32 {
  if (start < INPUT || end > INPUT + INPUT_SIZE || start > end || budget <= 0) {
    return report(STATUS_BAD_ARGUMENT, start, 0, 0, 0, 0, 0);
  }
  tablesChanged();
  const limit = budget < end - start ? start + budget : end;
  let p = start;
  let messages = 0;
  let fields = 0;
  let entry: usize = MESSAGES;
  batchHighBits = 0;
  while (true) {
    if (p >= limit) return report(p < end ? STATUS_BUDGET : STATUS_NEED_MORE, p, messages, fields, 0, 0, 0);
    if (messages == MAX_MESSAGES) return report(STATUS_TABLE_FULL, p, messages, fields, 0, 0, 0);
    const avail = end - p;
    const type = <i32>load<u8>(p);
    if (avail < HEADER) {
      // An unknown type is refused from its first byte: no waiting on a peer that speaks nonsense.
      if (minLengthOf(type) == 0) return report(STATUS_UNKNOWN_TYPE, p, messages, fields, 0, type, 0);
      return report(STATUS_NEED_MORE, p, messages, fields, 0, 0, 0);
    }
    const length = be32(p + 1);
    let status = 0;
    if (type == DATA_ROW) {
      if (length < 6 || length > maxLength) status = checkHeader(type, length);
    } else {
      status = checkHeader(type, length);
    }
    if (status != 0) return report(status, p, messages, fields, length, type, badField);
    if (length >= INPUT_SIZE) return report(STATUS_TOO_BIG, p, messages, fields, length, type, 0);
    if (length >= avail) return report(STATUS_NEED_MORE, p, messages, fields, length, type, 0);
    const body = p + HEADER;
    const bodyLength = length - EMPTY;
    let first = fields;
    if (type == DATA_ROW) {
      const count = (<i32>load<u8>(body) << 8) | <i32>load<u8>(body, 1);
      if (fields + count > MAX_FIELDS) return report(STATUS_TABLE_FULL, p, messages, fields, 0, 0, 0);
      status = indexRow(body, bodyLength, fields, count);
      if (status != 0) return report(status, p, messages, fields, length, type, badField);
      fields += count;
    } else {
      first = -1;
    }
    store<i32>(entry, type);
    store<i32>(entry, body, 4);
    store<i32>(entry, bodyLength, 8);
    store<i32>(entry, first, 12);
    entry += MESSAGE_WORDS << 2;
    messages++;
    p = body + bodyLength;
  }
}
