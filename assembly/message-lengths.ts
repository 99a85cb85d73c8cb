/**
 * Length bounds of each backend message type, checked from the header before the body arrives
 * (RELIABILITY.md case 1). Lengths count the length word itself, as on the wire.
 */
import {
  AUTHENTICATION, AUTHENTICATION_CAP, BACKEND_KEY_DATA, BACKEND_KEY_DATA_CAP, BIND_COMPLETE, CLOSE_COMPLETE,
  COMMAND_COMPLETE, COPY_BOTH_RESPONSE, COPY_DATA, COPY_DONE, COPY_IN_RESPONSE, COPY_OUT_RESPONSE,
  COPY_RESPONSE_CAP, DATA_ROW, EMPTY, EMPTY_QUERY_RESPONSE, ERROR_RESPONSE, FUNCTION_CALL_RESPONSE,
  NEGOTIATE_PROTOCOL_VERSION, NOTICE_CAP, NOTICE_RESPONSE, NOTIFICATION_CAP, NOTIFICATION_RESPONSE, NO_DATA,
  PARAMETER_DESCRIPTION, PARAMETER_DESCRIPTION_CAP, PARAMETER_STATUS, PARSE_COMPLETE, PORTAL_SUSPENDED,
  READY_FOR_QUERY, ROW_DESCRIPTION, SHORT_CAP,
} from './message-codes';

/**
 * The smallest valid length of a message of this type; 0 for a byte that is no backend message.
 * Fixed-size messages have min == max.
 */
export function minLengthOf(type: i32): i32 {
  switch (type) {
    case PARSE_COMPLETE:
    case BIND_COMPLETE:
    case CLOSE_COMPLETE:
    case NO_DATA:
    case PORTAL_SUSPENDED:
    case EMPTY_QUERY_RESPONSE:
    case COPY_DONE:
    case COPY_DATA:
      return EMPTY;
    case READY_FOR_QUERY: // status byte
    case COMMAND_COMPLETE: // tag NUL
    case ERROR_RESPONSE: // field list terminator
    case NOTICE_RESPONSE:
      return EMPTY + 1;
    case DATA_ROW: // field count
    case ROW_DESCRIPTION:
    case PARAMETER_DESCRIPTION:
    case PARAMETER_STATUS: // two NULs
      return EMPTY + 2;
    case COPY_IN_RESPONSE: // format + column count
    case COPY_OUT_RESPONSE:
    case COPY_BOTH_RESPONSE:
      return EMPTY + 3;
    case AUTHENTICATION: // sub-code
    case FUNCTION_CALL_RESPONSE: // result length
      return EMPTY + 4;
    case NOTIFICATION_RESPONSE: // process id + two NULs
      return EMPTY + 6;
    case BACKEND_KEY_DATA: // process id + 4-byte key at least
    case NEGOTIATE_PROTOCOL_VERSION: // newest minor + option count
      return EMPTY + 8;
  }
  return 0;
}

/** The largest valid length of this type; 0 means the configured maximum (the large types). */
export function maxLengthOf(type: i32): i32 {
  switch (type) {
    case PARSE_COMPLETE:
    case BIND_COMPLETE:
    case CLOSE_COMPLETE:
    case NO_DATA:
    case PORTAL_SUSPENDED:
    case EMPTY_QUERY_RESPONSE:
    case COPY_DONE:
      return EMPTY;
    case READY_FOR_QUERY:
      return EMPTY + 1;
    case AUTHENTICATION:
      return AUTHENTICATION_CAP;
    case BACKEND_KEY_DATA:
      return BACKEND_KEY_DATA_CAP;
    case COMMAND_COMPLETE:
    case PARAMETER_STATUS:
    case NEGOTIATE_PROTOCOL_VERSION:
      return SHORT_CAP;
    case ERROR_RESPONSE:
    case NOTICE_RESPONSE:
      return NOTICE_CAP;
    case NOTIFICATION_RESPONSE:
      return NOTIFICATION_CAP;
    case PARAMETER_DESCRIPTION:
      return PARAMETER_DESCRIPTION_CAP;
    case COPY_IN_RESPONSE:
    case COPY_OUT_RESPONSE:
    case COPY_BOTH_RESPONSE:
      return COPY_RESPONSE_CAP;
  }
  // DataRow, CopyData, RowDescription, FunctionCallResponse: the configured maximum.
  return 0;
}
