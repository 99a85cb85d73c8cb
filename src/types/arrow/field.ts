/**
 * A `ColumnBatch` field: the column's name, its PostgreSQL type and the Arrow type its buffers have,
 * and the Arrow field metadata that carries the PostgreSQL type to Arrow consumers.
 */
import { ClientError, ErrorCode } from '../../errors.js';
import { arrowTypeForOid, pgTypeName, PG_TYPE_MOD_KEY, PG_TYPE_NAME_KEY, PG_TYPE_OID_KEY } from './arrow-type.js';
import type { ArrowType } from './column-buffers.js';

/** One column of a `ColumnBatch`: name, PostgreSQL type OID, Arrow type and nullability. */
export interface ColumnField {
  /** Column name (any string: empty, non-ASCII and `__proto__` included). */
  readonly name: string;
  /** PostgreSQL type OID (RowDescription's data type OID). */
  readonly typeOid: number;
  /** Arrow type of the column's buffers. */
  readonly arrowType: ArrowType;
  /** Whether the column may hold NULLs (a non-nullable field's column must have nullCount 0). */
  readonly nullable: boolean;
  /** The type modifier (RowDescription's `atttypmod`, e.g. numeric(10,2)); -1 or absent when none. */
  readonly typeModifier?: number;
}

/** Options of `columnField`. */
export interface ColumnFieldOptions {
  /** Default true: result columns of a query are nullable unless the caller knows better. */
  nullable?: boolean;
  /** The Arrow type, for a type OID `arrowTypeForOid` does not map (e.g. an enum read as Utf8). */
  arrowType?: ArrowType;
  /** The type modifier (`atttypmod`); -1 or absent when none. */
  typeModifier?: number;
}

/** A field for a column of PostgreSQL type `typeOid`, with the Arrow type the mapping gives it. */
export function columnField(name: string, typeOid: number, options: ColumnFieldOptions = {}): ColumnField {
  const arrowType = options.arrowType ?? arrowTypeForOid(typeOid);
  if (arrowType === undefined) {
    throw new ClientError(
      ErrorCode.INVALID_ARGUMENT,
      `no Arrow type for PostgreSQL type OID ${typeOid}: pass options.arrowType`,
    );
  }
  const field: ColumnField = { name, typeOid, arrowType, nullable: options.nullable ?? true };
  return options.typeModifier === undefined ? field : { ...field, typeModifier: options.typeModifier };
}

/**
 * The Arrow field metadata of a field: `pg.type_oid` always, `pg.type_name` for a known built-in
 * type, `pg.type_mod` when the field has a type modifier.
 */
export function fieldMetadata(field: ColumnField): Array<[string, string]> {
  const out: Array<[string, string]> = [[PG_TYPE_OID_KEY, String(field.typeOid)]];
  const name = pgTypeName(field.typeOid);
  if (name !== undefined) out.push([PG_TYPE_NAME_KEY, name]);
  if (field.typeModifier !== undefined && field.typeModifier >= 0) out.push([PG_TYPE_MOD_KEY, String(field.typeModifier)]);
  return out;
}
