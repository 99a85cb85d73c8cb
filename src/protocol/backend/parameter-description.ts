/**
 * ParameterDescription (`t`): the type OID of each parameter of a described statement.
 * The count is checked against the body before the array is allocated (RELIABILITY case 6).
 * https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-PARAMETERDESCRIPTION
 */
import { MessageCode } from '../codes.js';
import type { ParameterDescription } from '../messages.js';
import type { MessageWriter } from '../writer.js';
import { decodeBody, writeCount, writeMessage, writeU32 } from './body.js';

/** Bytes per parameter: one Int32 OID. */
const OID_SIZE = 4;

/** Decodes ParameterDescription; OIDs are read as unsigned 32-bit numbers. */
export function decodeParameterDescription(body: Uint8Array): ParameterDescription {
  return decodeBody(body, 'ParameterDescription', (r) => {
    const n = r.count(r.u16(), OID_SIZE);
    const typeOids: number[] = new Array(n);
    for (let i = 0; i < n; i++) typeOids[i] = r.u32();
    return { type: 'ParameterDescription', code: MessageCode.PARAMETER_DESCRIPTION, typeOids };
  });
}

/** Writes ParameterDescription; more than 65535 parameters is a ClientError. */
export function encodeParameterDescription(w: MessageWriter, msg: ParameterDescription): void {
  writeMessage(w, MessageCode.PARAMETER_DESCRIPTION, () => {
    writeCount(w, msg.typeOids.length, 'ParameterDescription parameters');
    for (const oid of msg.typeOids) writeU32(w, oid, 'ParameterDescription type OID');
  });
}
