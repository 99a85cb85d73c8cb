/**
 * Bind (`B`): binds parameter values to a prepared statement, creating a portal, and chooses the
 * format of each result column.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-BIND
 */
import { BodyReader } from '../body-reader.js';
import { FrontendCode, type FormatCode } from '../codes.js';
import type { Bind } from '../messages.js';
import { atomically, type MessageWriter } from '../writer.js';
import type { BindValue } from './bindable.js';
import { apiName, checkCount, invalidArgument, wireName } from './checks.js';
import { beginMessage, writeName } from './frame.js';
import { writeResultFormats, writeValues } from './parameters.js';
import { readFormatList, readValueList, writeFormatList, writeRawValues } from './value-lists.js';

const NO_VALUES: readonly BindValue[] = [];

/**
 * Writes a Bind of `params` to `statement`, creating `portal` (`null`: the unnamed ones).
 * Parameter formats come from the values (see bindable.ts) and collapse to 0, 1 or N codes;
 * `resultFormats` is one format for every column or one per column, collapsed the same way
 * (default: all text). More than 65535 values or result formats is `PGS_TOO_MANY_PARAMETERS`;
 * every error leaves the writer untouched.
 */
export function encodeBind(
  w: MessageWriter,
  portal: string | null,
  statement: string | null,
  params: readonly BindValue[] = NO_VALUES,
  resultFormats?: FormatCode | readonly FormatCode[],
): void {
  checkCount(params.length, 'parameters');
  // The same all-or-nothing contract as `atomically`, spelled out: this is the hot path, and a
  // closure per message costs more than the rest of a small Bind.
  const mark = w.mark();
  try {
    const start = beginMessage(w, FrontendCode.BIND);
    writeName(w, portal);
    writeName(w, statement);
    writeValues(w, params, start);
    writeResultFormats(w, resultFormats);
    w.finish(start);
  } catch (err) {
    w.rollback(mark);
    throw err;
  }
}

/**
 * Writes a Bind exactly as described by its wire shape (the formats are sent as given, not
 * collapsed): `encodeFrontend(decodeBind(body))` reproduces `body`. The parameter format list must
 * have 0, 1 or `params.length` entries, as PostgreSQL requires.
 */
export function encodeBindWire(w: MessageWriter, msg: Omit<Bind, 'type'>): void {
  const { paramFormats, params, resultFormats } = msg;
  checkCount(paramFormats.length, 'parameter formats');
  checkCount(params.length, 'parameters');
  checkCount(resultFormats.length, 'result formats');
  if (paramFormats.length > 1 && paramFormats.length !== params.length) {
    throw invalidArgument(`Bind has ${paramFormats.length} parameter formats for ${params.length} parameters`);
  }
  atomically(w, () => {
    const start = w.begin(FrontendCode.BIND);
    w.cstring(wireName(msg.portal));
    w.cstring(wireName(msg.statement));
    writeFormatList(w, paramFormats);
    writeRawValues(w, params, start);
    writeFormatList(w, resultFormats);
    w.finish(start);
  });
}

/** Decodes the body of a Bind; values are views of `body`. */
export function decodeBind(body: Uint8Array): Bind {
  const r = new BodyReader(body, 'Bind');
  const portal = r.cstring();
  const statement = r.cstring();
  const paramFormats = readFormatList(r);
  const params = readValueList(r);
  if (paramFormats.length > 1 && paramFormats.length !== params.length) {
    throw r.malformed(`has ${paramFormats.length} parameter formats for ${params.length} parameters`);
  }
  const resultFormats = readFormatList(r);
  r.end();
  return { type: 'Bind', portal: apiName(portal), statement: apiName(statement), paramFormats, params, resultFormats };
}
