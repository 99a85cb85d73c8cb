/**
 * The built-in codecs (every type of PRODUCT.md Layer 3), configured by TypeOptions, and the
 * default set used by the typed Bindable wrappers.
 */
import type { TypeCodec } from './type-codec.js';
import { DEFAULT_TYPE_OPTIONS } from './options.js';
import type { TypeOptions } from './options.js';
import { boolCodec } from './codecs/bool.js';
import { int2Codec, int4Codec, int8Codec, oidCodec } from './codecs/integers.js';
import { float4Codec, float8Codec } from './codecs/floats.js';
import { numericCodec } from './codecs/numeric.js';
import { bpcharCodec, charCodec, nameCodec, textCodec, varcharCodec } from './codecs/text.js';
import { byteaCodec } from './codecs/bytea.js';
import { uuidCodec } from './codecs/uuid.js';
import { jsonCodec, jsonbCodec } from './codecs/json.js';
import { cidrCodec, inetCodec } from './codecs/network/network.js';
import { dateCodec } from './codecs/temporal/date.js';
import { timestampWithoutZoneCodec, timestamptzCodec } from './codecs/temporal/timestamp.js';
import { timeCodec, timetzCodec } from './codecs/temporal/time.js';
import { intervalCodec } from './codecs/temporal/interval.js';
import { ArrayCodec } from './codecs/array/array.js';

/** The built-in scalar codecs for `options` (their array types are derived from `arrayOid`). */
export function builtinCodecs(options: TypeOptions = {}): TypeCodec[] {
  const o = { ...DEFAULT_TYPE_OPTIONS, ...options };
  return [
    boolCodec,
    int2Codec,
    int4Codec,
    int8Codec(o.int8),
    oidCodec,
    float4Codec,
    float8Codec,
    numericCodec,
    textCodec,
    varcharCodec,
    bpcharCodec,
    nameCodec,
    charCodec,
    byteaCodec,
    uuidCodec,
    jsonCodec,
    jsonbCodec,
    inetCodec,
    cidrCodec,
    dateCodec(o.dates),
    timeCodec,
    timetzCodec,
    timestampWithoutZoneCodec(o.timestamps),
    timestamptzCodec(o.timestamps),
    intervalCodec,
  ];
}

const defaults = new Map<number, TypeCodec>();
for (const c of builtinCodecs()) {
  defaults.set(c.oid, c);
  if (c.arrayOid !== undefined) defaults.set(c.arrayOid, new ArrayCodec(c.arrayOid, c));
}

/** The built-in codec (default options) of a type OID, arrays included; undefined if none. */
export function builtinCodec(typeOid: number): TypeCodec | undefined {
  return defaults.get(typeOid);
}
