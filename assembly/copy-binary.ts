/**
 * COPY BINARY scanning (`COPY … TO STDOUT (FORMAT binary)`, https://www.postgresql.org/docs/current/sql-copy.html,
 * "Binary Format"): the byte stream carried by CopyData messages is a 19-byte header (the signature
 * `PGCOPY\n\377\r\n\0`, Int32 flags, Int32 header extension length and that many bytes), tuples
 * (Int16 field count, then per field Int32 length, -1 = NULL, and the bytes) and a trailer (a field
 * count of -1). A tuple body has the shape of a DataRow body, so tuples are indexed into the field
 * table and into the tuple table (the message table's shape), and the column decoders read them as
 * they read DataRows.
 *
 * The stream is cut anywhere: a tuple may span CopyData messages, and a CopyData message may hold
 * several tuples. Tuples lying whole inside the bytes scanned are indexed in place; a tuple cut by
 * the end of the bytes is copied into the carry region, and completed there from the next bytes
 * (each byte is copied once). Tuples completed in the carry region stay there until the next scan,
 * which first moves an unfinished tuple back to the start of the region.
 *
 * Checked: the signature; the flags (bit 16, OIDs, which no server since PostgreSQL 12 sends, and
 * every other critical bit 17..31 are refused, as the format requires of a reader that does not know
 * them); a negative header extension length; every field count against the stream's (the caller's,
 * or the first tuple's); negative field lengths other than -1; any byte after the trailer. A scan
 * stops cleanly when a table or the carry region is full (TABLE_FULL: decode the tuples, scan again
 * from RESULT_STOP), at the end of its bytes (NEED_MORE), or after the trailer (COPY_END). Never traps.
 */
import {
  CARRY, CARRY_SIZE, FIELDS, INPUT, INPUT_SIZE, MAX_FIELDS, MAX_MESSAGES, MAX_TUPLES, MESSAGES, MESSAGE_WORDS, RESULT,
  RESULT_DETAIL, RESULT_FIELDS, RESULT_MESSAGES, RESULT_ROWS, RESULT_STOP, TUPLES,
} from './layout';
import {
  STATUS_BAD_ARGUMENT, STATUS_COPY_END, STATUS_COPY_FIELD_COUNT, STATUS_COPY_FLAGS, STATUS_COPY_HEADER, STATUS_FIELD_LENGTH,
  STATUS_NEED_MORE, STATUS_TABLE_FULL, STATUS_TRAILING_BYTES, STATUS_TUPLE_TOO_BIG,
} from './status';
import { COPY_DATA, DATA_ROW, NULL_LENGTH } from './message-codes';
import { tablesChanged } from './columns/gather';

/** The signature, `PGCOPY\n\377\r\n\0`. */
const SIGNATURE: usize = memory.data<u8>([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00]);
const SIGNATURE_SIZE: i32 = 11;
/** Signature, flags and extension length. */
const HEADER_SIZE: i32 = 19;
/** Where the flags and the extension length are in the header. */
const FLAGS_AT: i32 = 11;
const EXTENSION_AT: i32 = 15;
/** Flag bits 16..31 are critical: a reader must refuse those it does not know (bit 16: OIDs). */
const CRITICAL_FLAGS: u32 = 0xffff_0000;
/** The trailer's field count. */
const TRAILER: i32 = -1;
/** Bytes of a field count and of a field length. */
const COUNT_SIZE: i32 = 2;
const LENGTH_SIZE: i32 = 4;

/** Where the stream is: header, extension, tuples, after the trailer. */
const PHASE_HEADER: i32 = 0;
const PHASE_EXTENSION: i32 = 1;
const PHASE_TUPLES: i32 = 2;
const PHASE_END: i32 = 3;
/** What the carried tuple expects next: its field count, a field length, field bytes. */
const ITEM_COUNT: i32 = 0;
const ITEM_LENGTH: i32 = 1;
const ITEM_DATA: i32 = 2;

/** The header, gathered byte by byte when it comes in pieces. */
const HEADER: usize = memory.data(HEADER_SIZE);

let phase = PHASE_HEADER;
let headerHave = 0;
let skip = 0;
/** Fields every tuple must have; -1 until the first tuple says. */
let expected = -1;

/** The carried tuple: at CARRY + carryStart, carryLen bytes so far; cursor = its next item. */
let carryStart = 0;
let carryLen = 0;
let cursor = 0;
let item = ITEM_COUNT;
let dataSize = 0;
let fieldsLeft = 0;
/** The carried tuple is whole but not yet indexed (the tables were full). */
let complete = false;
/** Bytes of the carry region used before the carried tuple: tuples completed by this scan. */
let arenaEnd = 0;

/** What this scan indexed: tuples, the next free field-table entry; and its detail on errors. */
let tuples = 0;
let fields = 0;
let detail = 0;

@inline function be16(p: usize): i32 {
  return <i32>bswap<i16>(load<i16>(p));
}

@inline function be32(p: usize): i32 {
  return bswap<i32>(load<i32>(p));
}

@inline function result(slot: i32, value: i32): void {
  store<i32>(RESULT + (slot << 2), value);
}

/**
 * Starts a COPY BINARY stream: every tuple must have `fieldCount` fields (-1: as many as the first
 * one). 0, or STATUS_BAD_ARGUMENT.
 */
export function copyReset(fieldCount: i32): i32 {
  if (fieldCount < -1 || fieldCount > 0x7fff) return STATUS_BAD_ARGUMENT;
  phase = PHASE_HEADER;
  headerHave = skip = 0;
  expected = fieldCount;
  carryStart = carryLen = cursor = dataSize = fieldsLeft = arenaEnd = 0;
  item = ITEM_COUNT;
  complete = false;
  return 0;
}

/** Checks a field count against the stream's; 0 or a status. */
function checkCount(count: i32): i32 {
  if (count < 0 || (expected >= 0 && count != expected)) {
    detail = count;
    return STATUS_COPY_FIELD_COUNT;
  }
  expected = count;
  return 0;
}

/** True when the tables can take a tuple of `count` fields. */
@inline function room(count: i32): bool {
  return tuples < MAX_TUPLES && count <= MAX_FIELDS - fields;
}

/** Adds a tuple whose `count` field entries are written from `fields` to the tuple table. */
function addTuple(start: usize, length: i32, count: i32): void {
  const entry = <usize>TUPLES + <usize>tuples * <usize>(MESSAGE_WORDS << 2);
  store<i32>(entry, DATA_ROW);
  store<i32>(entry, <i32>start, 4);
  store<i32>(entry, length, 8);
  store<i32>(entry, fields, 12);
  tuples++;
  fields += count;
}

/** Checks the gathered header; 0 or a status. */
function checkHeader(): i32 {
  for (let i = 0; i < SIGNATURE_SIZE; i++) {
    if (load<u8>(HEADER + i) != load<u8>(SIGNATURE + i)) {
      detail = i;
      return STATUS_COPY_HEADER;
    }
  }
  const flags = <u32>be32(HEADER + FLAGS_AT);
  if ((flags & CRITICAL_FLAGS) != 0) {
    detail = <i32>flags;
    return STATUS_COPY_FLAGS;
  }
  skip = be32(HEADER + EXTENSION_AT);
  if (skip < 0) {
    detail = skip;
    return STATUS_COPY_HEADER;
  }
  phase = skip > 0 ? PHASE_EXTENSION : PHASE_TUPLES;
  return 0;
}

/** Indexes the whole tuple at `p`: its field entries from `fields`, then its tuple entry; returns its end. */
function indexTuple(p: usize, count: i32): usize {
  let q = p + COUNT_SIZE;
  let f = <usize>FIELDS + (<usize>fields << 3);
  for (let i = 0; i < count; i++) {
    const length = be32(q);
    q += LENGTH_SIZE;
    store<i32>(f, <i32>q);
    store<i32>(f, length, 4);
    if (length > 0) q += length;
    f += 8;
  }
  addTuple(p, <i32>(q - p), count);
  return q;
}

/**
 * Where the tuple at `p` ends if it lies whole in [p, end): its end, or 0 when it is cut (or is
 * the trailer: then `phase` is PHASE_END and the end is returned). A status in `tupleStatus`.
 */
let tupleStatus = 0;
function tupleEnd(p: usize, end: usize): usize {
  tupleStatus = 0;
  if (<i32>(end - p) < COUNT_SIZE) return 0;
  const count = be16(p);
  if (count == TRAILER) {
    phase = PHASE_END;
    return p + COUNT_SIZE;
  }
  tupleStatus = checkCount(count);
  if (tupleStatus != 0) return 0;
  let q = p + COUNT_SIZE;
  for (let i = 0; i < count; i++) {
    if (<i32>(end - q) < LENGTH_SIZE) return 0;
    const length = be32(q);
    q += LENGTH_SIZE;
    if (length < 0) {
      if (length != NULL_LENGTH) {
        detail = i;
        tupleStatus = STATUS_FIELD_LENGTH;
        return 0;
      }
    } else {
      if (length > <i32>(end - q)) return 0;
      q += length;
    }
  }
  return q;
}

/** Bytes the carried tuple's next item needs in all. */
@inline function itemSize(): i32 {
  return item == ITEM_COUNT ? COUNT_SIZE : item == ITEM_LENGTH ? LENGTH_SIZE : dataSize;
}

/**
 * Parses the carried tuple's items as far as its bytes go. 0, or a status (a bad count or length);
 * sets `complete` when the tuple is whole, and ends the stream at a carried trailer.
 */
function parseCarried(): i32 {
  const base = <usize>CARRY + <usize>carryStart;
  while (!complete && carryLen - cursor >= itemSize()) {
    if (item == ITEM_COUNT) {
      const count = be16(base + cursor);
      cursor += COUNT_SIZE;
      if (count == TRAILER) {
        phase = PHASE_END;
        carryLen = 0;
        return 0;
      }
      const status = checkCount(count);
      if (status != 0) return status;
      fieldsLeft = count;
      item = ITEM_LENGTH;
    } else if (item == ITEM_LENGTH) {
      const length = be32(base + cursor);
      cursor += LENGTH_SIZE;
      if (length >= 0) {
        dataSize = length;
        item = ITEM_DATA;
        continue;
      }
      if (length != NULL_LENGTH) {
        detail = expected - fieldsLeft;
        return STATUS_FIELD_LENGTH;
      }
      fieldsLeft--;
    } else {
      cursor += dataSize;
      item = ITEM_LENGTH;
      fieldsLeft--;
    }
    if (fieldsLeft == 0) complete = true;
  }
  return 0;
}

/** Indexes the whole carried tuple if the tables have room; false when they do not. */
function indexCarried(): bool {
  const start = <usize>CARRY + <usize>carryStart;
  const count = be16(start);
  if (!room(count)) return false;
  indexTuple(start, count);
  arenaEnd = carryStart + carryLen;
  carryStart = arenaEnd;
  carryLen = cursor = 0;
  item = ITEM_COUNT;
  complete = false;
  return true;
}

/** Where the last `consume` stopped. */
let stop: usize = 0;

/**
 * Scans the stream bytes [p, end): NEED_MORE once they are all taken (COPY_END if the trailer was
 * among them or before), or a stop: TABLE_FULL, an error. `stop` says where.
 */
function consume(p: usize, end: usize): i32 {
  stop = p;
  if (complete && !indexCarried()) return STATUS_TABLE_FULL;
  while (p < end) {
    stop = p;
    if (phase == PHASE_HEADER) {
      const take = min(HEADER_SIZE - headerHave, <i32>(end - p));
      memory.copy(HEADER + headerHave, p, take);
      headerHave += take;
      p += take;
      if (headerHave == HEADER_SIZE) {
        const status = checkHeader();
        if (status != 0) return status;
      }
    } else if (phase == PHASE_EXTENSION) {
      const take = min(skip, <i32>(end - p));
      p += take;
      skip -= take;
      if (skip == 0) phase = PHASE_TUPLES;
    } else if (phase == PHASE_END) {
      detail = <i32>(end - p);
      return STATUS_TRAILING_BYTES;
    } else if (carryLen > 0) {
      // Complete the carried tuple with exactly the bytes its next items need.
      const need = itemSize() - (carryLen - cursor);
      const take = min(need, <i32>(end - p));
      if (carryStart + carryLen + take > CARRY_SIZE) {
        if (carryStart == 0) return STATUS_TUPLE_TOO_BIG;
        return STATUS_TABLE_FULL;
      }
      memory.copy(<usize>CARRY + <usize>(carryStart + carryLen), p, take);
      carryLen += take;
      p += take;
      const status = parseCarried();
      if (status != 0) return status;
      if (complete && !indexCarried()) {
        stop = p;
        return STATUS_TABLE_FULL;
      }
    } else {
      const tail = tupleEnd(p, end);
      if (tupleStatus != 0) return tupleStatus;
      if (phase == PHASE_END) {
        p = tail;
        continue;
      }
      if (tail != 0) {
        const count = be16(p);
        if (!room(count)) return STATUS_TABLE_FULL;
        p = indexTuple(p, count);
        continue;
      }
      // Cut by the end of the bytes: carry what there is.
      const size = <i32>(end - p);
      if (size > CARRY_SIZE) return STATUS_TUPLE_TOO_BIG;
      if (size > CARRY_SIZE - arenaEnd) return STATUS_TABLE_FULL;
      carryStart = arenaEnd;
      memory.copy(<usize>CARRY + <usize>carryStart, p, size);
      carryLen = size;
      cursor = 0;
      item = ITEM_COUNT;
      p = end;
      const status = parseCarried();
      if (status != 0) return status;
    }
  }
  stop = p;
  return phase == PHASE_END ? STATUS_COPY_END : STATUS_NEED_MORE;
}

/** Starts a scan: no tuples yet, fields from `fieldBase`, an unfinished carried tuple moved to the front. */
function begin(fieldBase: i32): void {
  tablesChanged();
  tuples = 0;
  fields = fieldBase;
  detail = 0;
  if (carryLen > 0 && carryStart > 0) memory.copy(CARRY, <usize>CARRY + <usize>carryStart, carryLen);
  carryStart = arenaEnd = 0;
}

/** Writes the result block and returns `status`. */
function report(status: i32, message: i32): i32 {
  result(RESULT_STOP, <i32>stop);
  result(RESULT_ROWS, tuples);
  result(RESULT_FIELDS, fields);
  result(RESULT_MESSAGES, message);
  result(RESULT_DETAIL, detail);
  return status;
}

/**
 * Scans the COPY stream bytes [start, end) of the input region, indexing tuples from tuple-table
 * entry 0 and field-table entry `fieldBase`. RESULT_ROWS tuples, RESULT_FIELDS the next free field
 * entry, RESULT_STOP the first byte not taken; see the module comment for the statuses.
 */
export function copyScan(start: i32, end: i32, fieldBase: i32): i32 {
  if (start < INPUT || end > INPUT + INPUT_SIZE || start > end || fieldBase < 0 || fieldBase > MAX_FIELDS) {
    stop = start;
    tuples = 0;
    fields = fieldBase;
    return report(STATUS_BAD_ARGUMENT, 0);
  }
  begin(fieldBase);
  return report(consume(start, end), 0);
}

/**
 * Scans the CopyData messages at message-table entries [first, first + count), from byte `offset`
 * of the first one's body, as `copyScan` does; RESULT_MESSAGES is the entry where it stopped (the
 * caller resumes there with `offset` = RESULT_STOP − its body).
 */
export function copyScanMessages(first: i32, count: i32, offset: i32, fieldBase: i32): i32 {
  stop = 0;
  if (first < 0 || count < 0 || count > MAX_MESSAGES - first || offset < 0 || fieldBase < 0 || fieldBase > MAX_FIELDS) {
    tuples = 0;
    fields = fieldBase;
    return report(STATUS_BAD_ARGUMENT, first);
  }
  begin(fieldBase);
  let entry = <usize>MESSAGES + <usize>first * <usize>(MESSAGE_WORDS << 2);
  let from = offset;
  for (let k = first; k < first + count; k++) {
    const body = load<i32>(entry, 4);
    const length = load<i32>(entry, 8);
    if (
      load<i32>(entry) != COPY_DATA || <u32>(body - INPUT) > <u32>INPUT_SIZE || <u32>length > <u32>(INPUT + INPUT_SIZE - body)
      || from > length
    ) {
      stop = 0;
      return report(STATUS_BAD_ARGUMENT, k);
    }
    const status = consume(<usize>(body + from), <usize>(body + length));
    if (status != STATUS_NEED_MORE && status != STATUS_COPY_END) return report(status, k);
    from = 0;
    entry += MESSAGE_WORDS << 2;
  }
  return report(phase == PHASE_END ? STATUS_COPY_END : STATUS_NEED_MORE, first + count);
}
