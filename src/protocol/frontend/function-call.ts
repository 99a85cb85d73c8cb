/**
 * FunctionCall (`F`): calls a function by OID with arguments, outside of SQL (the fast-path
 * interface). Arguments use the same formats and encodings as Bind parameters.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-FUNCTIONCALL
 */
import { BodyReader } from '../body-reader.js';
import { FormatCode, FrontendCode } from '../codes.js';
import type { FunctionCall } from '../messages.js';
import { atomically, type MessageWriter } from '../writer.js';
import { beginMessage, putI32, putU16 } from './frame.js';
import type { BindValue } from './bindable.js';
import { checkCount, checkFormat, checkOid, invalidArgument } from './checks.js';
import { writeValues } from './parameters.js';
import { readFormatList, readValueList, writeFormatList, writeRawValues } from './value-lists.js';

const NO_ARGS: readonly BindValue[] = [];

/**
 * Writes a FunctionCall of the function `oid` with `args` (formats collapsed 0/1/N like Bind) and
 * the result in `resultFormat`. Function OIDs are not stable across installations: look them up in
 * `pg_proc`. Every error leaves the writer untouched.
 */
export function encodeFunctionCall(
  w: MessageWriter,
  oid: number,
  args: readonly BindValue[] = NO_ARGS,
  resultFormat: FormatCode = FormatCode.Text,
): void {
  checkOid(oid, 'the function OID');
  checkFormat(resultFormat, 'the result format');
  checkCount(args.length, 'arguments');
  const mark = w.length;
  try {
    const start = beginMessage(w, FrontendCode.FUNCTION_CALL);
    putI32(w, oid);
    writeValues(w, args, start);
    putU16(w, resultFormat);
    w.finish(start);
  } catch (err) {
    w.rollback(mark);
    throw err;
  }
}

/**
 * Writes a FunctionCall exactly as described by its wire shape (formats as given, not collapsed),
 * so that decoding and re-encoding is the identity. The argument format list must have 0, 1 or
 * `args.length` entries.
 */
export function encodeFunctionCallWire(w: MessageWriter, msg: Omit<FunctionCall, 'type'>): void {
  const { argFormats, args } = msg;
  checkOid(msg.oid, 'the function OID');
  checkFormat(msg.resultFormat, 'the result format');
  checkCount(argFormats.length, 'argument formats');
  checkCount(args.length, 'arguments');
  if (argFormats.length > 1 && argFormats.length !== args.length) {
    throw invalidArgument(`FunctionCall has ${argFormats.length} argument formats for ${args.length} arguments`);
  }
  atomically(w, () => {
    const start = w.begin(FrontendCode.FUNCTION_CALL);
    w.u32(msg.oid);
    writeFormatList(w, argFormats);
    writeRawValues(w, args, start);
    w.i16(msg.resultFormat);
    w.finish(start);
  });
}

/** Decodes the body of a FunctionCall; argument values are views of `body`. */
export function decodeFunctionCall(body: Uint8Array): FunctionCall {
  const r = new BodyReader(body, 'FunctionCall');
  const oid = r.u32();
  const argFormats = readFormatList(r);
  const args = readValueList(r);
  if (argFormats.length > 1 && argFormats.length !== args.length) {
    throw r.malformed(`has ${argFormats.length} argument formats for ${args.length} arguments`);
  }
  const resultFormat = r.i16();
  r.end();
  if (resultFormat !== FormatCode.Text && resultFormat !== FormatCode.Binary) {
    throw r.malformed(`has an unknown result format ${resultFormat}`);
  }
  return { type: 'FunctionCall', oid, argFormats, args, resultFormat };
}
