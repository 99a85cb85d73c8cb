/**
 * TypeRegistry: the codecs by type OID — the built-ins (configured by TypeOptions) and any custom
 * codec registered for an OID (a built-in may be overridden) — and the two questions the query
 * layer asks of them:
 * - decoding a result column: `decoder(oid, format)`; `hasBinaryDecoder(oid)` says which columns
 *   to request in binary (`format: 'auto'`: binary exactly where a binary decoder exists);
 * - encoding a parameter: `encodeParam(oid, value)` for the type OID the server described
 *   (ParameterDescription), binary when the type's codec has a binary encoder, else text; an
 *   unknown type (OID 0, or no codec) gets the text of src/types/param-text.ts.
 * Registering a codec with an `arrayOid` also registers the array type over it.
 */
import { FormatCode } from '../protocol/codes.js';
import type { MessageWriter } from '../protocol/writer.js';
import type { Bindable } from '../protocol/frontend/bindable.js';
import { text } from './bindable.js';
import { builtinCodecs } from './builtins.js';
import { ArrayCodec } from './codecs/array/array.js';
import { DEFAULT_TYPE_OPTIONS } from './options.js';
import type { TypeOptions } from './options.js';
import { encodeParamText } from './param-text.js';
import { isBinaryCodec } from './type-codec.js';
import type { BinaryTypeCodec, BinaryValueDecoder, ColumnDecoder, TextValueDecoder, TypeCodec } from './type-codec.js';
import { cannotEncode } from './value-errors.js';

const MAX_OID = 0xffff_ffff;

/** A column of a type with no codec, in text: the string as it is. */
const passText: TextValueDecoder<string> = (s) => s;
/** A column of a type with no codec, in binary: a copy of the bytes (the row's memory is reused). */
const passBytes: BinaryValueDecoder<Uint8Array> = (bytes, start, length) => new Uint8Array(bytes.subarray(start, start + length));

/** A parameter encoded by a codec's binary encoder when Bind writes it (no intermediate copy). */
class CodecBinaryValue implements Bindable {
  readonly format = FormatCode.Binary;
  constructor(
    private readonly codec: BinaryTypeCodec,
    readonly value: unknown,
  ) {}
  encode(w: MessageWriter): void {
    this.codec.encodeBinary(w, this.value);
  }
}

function isBindable(v: unknown): v is Bindable {
  if (typeof v !== 'object' || v === null) return false;
  const b = v as Partial<Bindable>;
  return typeof b.encode === 'function' && (b.format === FormatCode.Text || b.format === FormatCode.Binary);
}

function checkCodec(codec: TypeCodec): void {
  const ok =
    typeof codec === 'object' &&
    codec !== null &&
    Number.isInteger(codec.oid) &&
    codec.oid > 0 &&
    codec.oid <= MAX_OID &&
    typeof codec.name === 'string' &&
    typeof codec.decodeText === 'function' &&
    typeof codec.encodeText === 'function' &&
    typeof codec.binary === 'boolean' &&
    (!codec.binary || (typeof codec.decodeBinary === 'function' && typeof codec.encodeBinary === 'function')) &&
    (codec.arrayOid === undefined || (Number.isInteger(codec.arrayOid) && codec.arrayOid > 0 && codec.arrayOid <= MAX_OID && codec.arrayOid !== codec.oid));
  if (!ok) {
    throw cannotEncode('a codec', 'a TypeCodec needs an OID, a name, decodeText/encodeText, and decodeBinary/encodeBinary when binary is true');
  }
}

/** Codecs by type OID, with the decoding and parameter-encoding lookups of the query layer. */
export class TypeRegistry {
  /** The options the built-in codecs were made with. */
  readonly options: Readonly<Required<TypeOptions>>;
  private readonly codecs = new Map<number, TypeCodec>();

  /** A registry holding every built-in codec, configured by `options` (defaults: DEFAULT_TYPE_OPTIONS). */
  constructor(options: TypeOptions = {}) {
    this.options = Object.freeze({ ...DEFAULT_TYPE_OPTIONS, ...options });
    for (const c of builtinCodecs(this.options)) this.register(c);
  }

  /**
   * Registers `codec` for its OID (replacing any codec there, built-ins included) and, when it
   * names an `arrayOid`, an array codec over it for that OID. Returns the registry.
   */
  register(codec: TypeCodec): this {
    checkCodec(codec);
    this.#version++;
    this.codecs.set(codec.oid, codec);
    if (codec.arrayOid !== undefined) this.codecs.set(codec.arrayOid, new ArrayCodec(codec.arrayOid, codec));
    return this;
  }

  #version = 0;

  /** Changes whenever a codec is registered: what was derived from the codecs (column readers) is stale. */
  get version(): number {
    return this.#version;
  }

  /** The codec of a type OID, or undefined. */
  get(typeOid: number): TypeCodec | undefined {
    return this.codecs.get(typeOid);
  }

  /** True when the type's codec decodes binary: the query layer requests binary for such columns. */
  hasBinaryDecoder(typeOid: number): boolean {
    const c = this.codecs.get(typeOid);
    return c !== undefined && isBinaryCodec(c);
  }

  /** The result format to request for a column of this type: binary when it has a binary decoder. */
  resultFormat(typeOid: number): FormatCode {
    return this.hasBinaryDecoder(typeOid) ? FormatCode.Binary : FormatCode.Text;
  }

  /** The text decoder of a type; without a codec, the text itself. */
  textDecoder(typeOid: number): TextValueDecoder {
    const c = this.codecs.get(typeOid);
    return c === undefined ? passText : (text) => c.decodeText(text);
  }

  /** The binary decoder of a type; without a binary codec, a copy of the bytes. */
  binaryDecoder(typeOid: number): BinaryValueDecoder {
    const c = this.codecs.get(typeOid);
    if (c === undefined || !isBinaryCodec(c)) return passBytes;
    // Bound rather than wrapped: one call per value instead of two (decodeBinary may use `this`).
    return c.decodeBinary.bind(c);
  }

  /** The decoder of a result column of type `typeOid` sent in `format`. */
  decoder(typeOid: number, format: FormatCode): ColumnDecoder {
    return format === FormatCode.Binary
      ? { format: FormatCode.Binary, decode: this.binaryDecoder(typeOid) }
      : { format: FormatCode.Text, decode: this.textDecoder(typeOid) };
  }

  /**
   * A parameter for a JS value, given the parameter's type OID (from ParameterDescription, or 0):
   * null/undefined → SQL NULL (null); a Bindable → itself; a string → text (the server parses it);
   * otherwise the type's codec, in binary when it has a binary encoder, else its text; a type
   * without codec → the text of `encodeParamText`. Invalid values throw PGS_INVALID_ARGUMENT — at
   * once for text, when Bind writes the value for binary (Bind then rolls the whole message back).
   */
  encodeParam(typeOid: number, value: unknown): Bindable | null {
    if (value === null || value === undefined) return null;
    if (isBindable(value)) return value;
    if (typeof value === 'string') return text(value);
    const c = this.codecs.get(typeOid);
    if (c === undefined) return text(encodeParamText(value));
    if (isBinaryCodec(c)) return new CodecBinaryValue(c, value);
    return text(c.encodeText(value));
  }
}
