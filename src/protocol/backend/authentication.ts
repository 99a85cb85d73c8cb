/**
 * Authentication (`R`): an Int32 sub-code, then a body that depends on it.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-AUTHENTICATIONOK
 *
 * An unknown sub-code is a ProtocolError `PGS_UNKNOWN_MESSAGE`: like an unknown type byte, it is a
 * message this library cannot understand (the server asked for a method that does not exist or that
 * PostgreSQL has long since dropped, such as Kerberos 4, crypt or SCM credentials).
 * Bytes (MD5 salt, GSS and SASL data) are copied, so they stay valid after the next receive.
 */
import { ErrorCode, ProtocolError } from '../../errors.js';
import type { BodyReader } from '../body-reader.js';
import { AuthCode, MessageCode } from '../codes.js';
import type {
  Authentication,
  AuthenticationCleartextPassword,
  AuthenticationGSS,
  AuthenticationKerberosV5,
  AuthenticationOk,
  AuthenticationSSPI,
} from '../messages.js';
import type { MessageWriter } from '../writer.js';
import { decodeBody, invalid, writeMessage } from './body.js';

/** MD5 salts are exactly 4 bytes. */
const MD5_SALT_LENGTH = 4;

const code = MessageCode.AUTHENTICATION;
const ok: AuthenticationOk = Object.freeze({ type: 'AuthenticationOk', code, auth: AuthCode.OK });
const kerberosV5: AuthenticationKerberosV5 = Object.freeze({ type: 'AuthenticationKerberosV5', code, auth: AuthCode.KERBEROS_V5 });
const cleartext: AuthenticationCleartextPassword = Object.freeze({ type: 'AuthenticationCleartextPassword', code, auth: AuthCode.CLEARTEXT_PASSWORD });
const gss: AuthenticationGSS = Object.freeze({ type: 'AuthenticationGSS', code, auth: AuthCode.GSS });
const sspi: AuthenticationSSPI = Object.freeze({ type: 'AuthenticationSSPI', code, auth: AuthCode.SSPI });

/** The mechanism list: names, each NUL-terminated, ended by an empty name. */
function readMechanisms(r: BodyReader): string[] {
  const mechanisms: string[] = [];
  for (let m = r.cstring(); m !== ''; m = r.cstring()) mechanisms.push(m);
  return mechanisms;
}

function readAuthentication(r: BodyReader): Authentication {
  const auth = r.i32();
  switch (auth) {
    case AuthCode.OK:
      return ok;
    case AuthCode.KERBEROS_V5:
      return kerberosV5;
    case AuthCode.CLEARTEXT_PASSWORD:
      return cleartext;
    case AuthCode.MD5_PASSWORD:
      return { type: 'AuthenticationMD5Password', code, auth, salt: r.bytes(MD5_SALT_LENGTH).slice() };
    case AuthCode.GSS:
      return gss;
    case AuthCode.GSS_CONTINUE:
      return { type: 'AuthenticationGSSContinue', code, auth, data: r.rest().slice() };
    case AuthCode.SSPI:
      return sspi;
    case AuthCode.SASL:
      return { type: 'AuthenticationSASL', code, auth, mechanisms: readMechanisms(r) };
    case AuthCode.SASL_CONTINUE:
      return { type: 'AuthenticationSASLContinue', code, auth, data: r.rest().slice() };
    case AuthCode.SASL_FINAL:
      return { type: 'AuthenticationSASLFinal', code, auth, data: r.rest().slice() };
    default:
      throw new ProtocolError(ErrorCode.UNKNOWN_MESSAGE, `Authentication with unknown sub-code ${auth}`);
  }
}

/** Decodes any Authentication message; the sub-code picks the shape. */
export function decodeAuthentication(body: Uint8Array): Authentication {
  return decodeBody(body, 'Authentication', readAuthentication);
}

/** Writes any Authentication message (the server side of the exchange). */
export function encodeAuthentication(w: MessageWriter, msg: Authentication): void {
  writeMessage(w, code, () => {
    w.i32(msg.auth);
    switch (msg.type) {
      case 'AuthenticationMD5Password':
        if (msg.salt.length !== MD5_SALT_LENGTH) throw invalid(`the MD5 salt must be ${MD5_SALT_LENGTH} bytes, got ${msg.salt.length}`);
        w.bytes(msg.salt);
        break;
      case 'AuthenticationSASL':
        for (const m of msg.mechanisms) {
          if (m === '') throw invalid('a SASL mechanism name may not be empty (it would end the list)');
          w.cstring(m);
        }
        w.cstring('');
        break;
      case 'AuthenticationGSSContinue':
      case 'AuthenticationSASLContinue':
      case 'AuthenticationSASLFinal':
        w.bytes(msg.data);
        break;
      default:
        break;
    }
  });
}
