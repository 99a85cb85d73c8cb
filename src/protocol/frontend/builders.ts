/**
 * The chainable builders behind `parse(...)`, `bind(...)` and `fnCall(...)`.
 *
 * Type state as in the seed: `parse(name)` returns a `ParseStart`, which has no `finish()`; only
 * `.query(sql)` yields a `ParseReady` that can set parameter types and finish. `finish()` writes the
 * message (all-or-nothing) and returns the protocol object, so chains continue:
 * `conn.bind(null).statement('s').finish([int4(5)]).execute(null).sync()`.
 *
 * Reuse: each protocol object owns one builder of each kind and hands the same object out on
 * every call, so a chain allocates nothing. A builder is therefore valid only until the next
 * `parse`/`bind`/`fnCall` call on the same protocol object: finish it first. `finish()` twice on
 * one start is refused (`PGS_INVALID_ARGUMENT`) instead of writing the message twice.
 */
import { FormatCode } from '../codes.js';
import type { MessageWriter } from '../writer.js';
import type { RequestLog } from '../session-state-codes.js';
import type { BindValue } from './bindable.js';
import { encodeBind } from './bind.js';
import { invalidArgument } from './checks.js';
import { encodeFunctionCall } from './function-call.js';
import { encodeParse } from './parse.js';

const NO_TYPES: readonly number[] = [];
const NO_VALUES: readonly BindValue[] = [];

/** Parse before `.query(sql)`: it cannot be finished yet. */
export interface ParseStart<P> {
  /** The SQL to prepare (one statement; parameters are `$1`, `$2`, …). */
  query(sql: string): ParseReady<P>;
}

/** Parse with its SQL: optionally fix parameter types, then finish. */
export interface ParseReady<P> {
  /** Parameter type OIDs (`oid.INT4`, …; 0 leaves one unspecified). At most 65535. */
  paramTypes(oids: readonly number[]): ParseReady<P>;
  /** Writes the Parse message and returns the protocol object. */
  finish(): P;
}

/** Bind of a portal: choose the statement and result formats, then finish with the values. */
export interface BindBuilder<P> {
  /** The prepared statement to bind (`null`, the default: the unnamed statement). */
  statement(name: string | null): BindBuilder<P>;
  /** One format for every result column, or one per column (default: all text); collapsed 0/1/N. */
  resultFormats(formats: FormatCode | readonly FormatCode[]): BindBuilder<P>;
  /** Writes the Bind message with these parameter values and returns the protocol object. */
  finish(params?: readonly BindValue[]): P;
}

/** FunctionCall: choose the result format, then finish with the arguments. */
export interface FnCallBuilder<P> {
  /** The format of the function's result (default text). */
  resultFormat(format: FormatCode): FnCallBuilder<P>;
  /** Writes the FunctionCall message with these arguments and returns the protocol object. */
  finish(args?: readonly BindValue[]): P;
}

/** The one Parse builder of a protocol object (both type states; the interfaces restrict it). */
export class ParseBuilderImpl<P> implements ParseStart<P>, ParseReady<P> {
  private active = false;
  private name: string | null = null;
  private sql: string | undefined;
  private types: readonly number[] = NO_TYPES;

  constructor(
    private readonly owner: P,
    private readonly out: () => MessageWriter,
    private readonly requests: () => RequestLog | null,
  ) {}

  /** Starts a new Parse of the statement `name`. */
  start(name: string | null): ParseStart<P> {
    this.active = true;
    this.name = name;
    this.sql = undefined;
    this.types = NO_TYPES;
    return this;
  }

  query(sql: string): ParseReady<P> {
    this.sql = sql;
    return this;
  }

  paramTypes(oids: readonly number[]): ParseReady<P> {
    this.types = oids;
    return this;
  }

  finish(): P {
    if (!this.active) throw invalidArgument('this Parse was already finished: start another with parse()');
    if (this.sql === undefined) throw invalidArgument('Parse needs .query(sql) before .finish()');
    encodeParse(this.out(), this.name, this.sql, this.types);
    this.requests()?.sentParse();
    this.active = false;
    this.sql = undefined;
    this.types = NO_TYPES;
    return this.owner;
  }
}

/** The one Bind builder of a protocol object. */
export class BindBuilderImpl<P> implements BindBuilder<P> {
  private active = false;
  private portal: string | null = null;
  private stmt: string | null = null;
  private formats: FormatCode | readonly FormatCode[] | undefined;

  constructor(
    private readonly owner: P,
    private readonly out: () => MessageWriter,
    private readonly requests: () => RequestLog | null,
  ) {}

  /** Starts a new Bind creating the portal `portal`. */
  start(portal: string | null): BindBuilder<P> {
    this.active = true;
    this.portal = portal;
    this.stmt = null;
    this.formats = undefined;
    return this;
  }

  statement(name: string | null): BindBuilder<P> {
    this.stmt = name;
    return this;
  }

  resultFormats(formats: FormatCode | readonly FormatCode[]): BindBuilder<P> {
    this.formats = formats;
    return this;
  }

  finish(params: readonly BindValue[] = NO_VALUES): P {
    if (!this.active) throw invalidArgument('this Bind was already finished: start another with bind()');
    encodeBind(this.out(), this.portal, this.stmt, params, this.formats);
    this.requests()?.sentBind(this.portal);
    this.active = false;
    this.formats = undefined;
    return this.owner;
  }
}

/** The one FunctionCall builder of a protocol object. */
export class FnCallBuilderImpl<P> implements FnCallBuilder<P> {
  private active = false;
  private oid = 0;
  private format: FormatCode = FormatCode.Text;

  constructor(
    private readonly owner: P,
    private readonly out: () => MessageWriter,
    private readonly requests: () => RequestLog | null,
  ) {}

  /** Starts a new FunctionCall of the function `oid`. */
  start(oid: number): FnCallBuilder<P> {
    this.active = true;
    this.oid = oid;
    this.format = FormatCode.Text;
    return this;
  }

  resultFormat(format: FormatCode): FnCallBuilder<P> {
    this.format = format;
    return this;
  }

  finish(args: readonly BindValue[] = NO_VALUES): P {
    if (!this.active) throw invalidArgument('this FunctionCall was already finished: start another with fnCall()');
    encodeFunctionCall(this.out(), this.oid, args, this.format);
    this.requests()?.sentFunctionCall();
    this.active = false;
    return this.owner;
  }
}
