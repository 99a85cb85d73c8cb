/**
 * The startup state machine: StartupMessage, then the server's answers until ReadyForQuery
 * (https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-START-UP).
 *
 * Accepted, in order: the first reply must be Authentication, ErrorResponse or
 * NegotiateProtocolVersion; Authentication requests go to the Authenticator until AuthenticationOk;
 * then ParameterStatus, BackendKeyData (once, of a length the negotiated protocol allows),
 * NoticeResponse, and finally ReadyForQuery. NegotiateProtocolVersion is accepted once, before or
 * after authentication; it may lower the version (not below the minimum) and list only `_pq_.`
 * options that were asked for. ErrorResponse is a `ServerError` with its SQLSTATE. Anything else
 * is a `ProtocolError`; the caller destroys the transport on any failure.
 */
import { ErrorCode, ProtocolError, ServerError } from '../errors.js';
import { AuthCode, Limits, MessageCode, ProtocolVersion } from '../protocol/codes.js';
import type { TransactionStatus } from '../protocol/codes.js';
import { protocolMinor, encodeStartupMessage } from '../protocol/frontend/startup-message.js';
import type { Authentication, BackendMessage, NegotiateProtocolVersion, PasswordKind } from '../protocol/messages.js';
import { MessageWriter } from '../protocol/writer.js';
import type { Transport } from '../transport/transport.js';
import { Authenticator } from './authenticator.js';
import { writeOrLastWords } from './last-words.js';
import { nextMessage } from './message-source.js';
import type { MessageSource } from './message-source.js';
import type { AuthTransportInfo } from './authenticator.js';
import type { SessionSettings } from './settings.js';
import type { StartupResult } from './startup-result.js';
import type { Notification } from '../query/events.js';
import { MAX_STARTUP_NOTICES, setParameter } from './limits.js';

/** The protocol option prefix (protocol.html, "Protocol versions"). */
const PROTOCOL_OPTION_PREFIX = '_pq_.';
/** The protocol versions this library implements. */
const KNOWN_MINORS: readonly number[] = [protocolMinor(ProtocolVersion.V3_0), protocolMinor(ProtocolVersion.V3_2)];

function unexpected(msg: BackendMessage, when: string): ProtocolError {
  return new ProtocolError(ErrorCode.UNEXPECTED_MESSAGE, `unexpected ${msg.type} ${when}`);
}

function versionError(message: string): ProtocolError {
  return new ProtocolError(ErrorCode.PROTOCOL_VERSION, message);
}

/** Checks NegotiateProtocolVersion against what was asked; returns the version now in use. */
export function negotiatedVersion(msg: NegotiateProtocolVersion, settings: SessionSettings): number {
  const asked = settings.maxProtocol;
  const minor = msg.newestMinor;
  if (!Number.isInteger(minor) || minor < 0 || minor > protocolMinor(asked)) {
    throw versionError(`server negotiated protocol version 3.${minor}, higher than the 3.${protocolMinor(asked)} requested`);
  }
  const requested = new Set<string>();
  for (const key of settings.parameters.keys()) if (key.startsWith(PROTOCOL_OPTION_PREFIX)) requested.add(key);
  const seen = new Set<string>();
  for (const option of msg.unrecognized) {
    if (!option.startsWith(PROTOCOL_OPTION_PREFIX) || !requested.has(option) || seen.has(option)) {
      throw versionError('server reported an unsupported protocol option that was not requested');
    }
    seen.add(option);
  }
  if (minor === protocolMinor(asked) && msg.unrecognized.length === 0) {
    throw versionError('server sent NegotiateProtocolVersion without asking for any change');
  }
  if (!KNOWN_MINORS.includes(minor)) {
    throw versionError(`server negotiated protocol version 3.${minor}, which pg-stream does not implement`);
  }
  const version = asked - protocolMinor(asked) + minor;
  if (version < settings.minProtocol) {
    throw versionError(
      `server only supports protocol version 3.${minor}, but the minimum is 3.${protocolMinor(settings.minProtocol)}`,
    );
  }
  return version;
}

/** Checks a cancel key's length for the protocol in use (3.0: exactly 4 bytes; 3.2: 4..256). */
export function checkCancelKey(key: Uint8Array, protocol: number): void {
  const n = key.length;
  const ok = protocol >= ProtocolVersion.V3_2
    ? n >= Limits.MIN_CANCEL_KEY_LENGTH && n <= Limits.MAX_CANCEL_KEY_LENGTH
    : n === Limits.MIN_CANCEL_KEY_LENGTH;
  if (!ok) {
    throw new ProtocolError(
      ErrorCode.MALFORMED_MESSAGE,
      `BackendKeyData has a ${n}-byte key, not allowed under protocol 3.${protocolMinor(protocol)}`,
    );
  }
}

/** Which `p` message answers `msg` (for tracing: only the exchange tells them apart). */
function answerKind(msg: Authentication): PasswordKind {
  if (msg.auth === AuthCode.SASL) return 'SASLInitialResponse';
  if (msg.auth === AuthCode.SASL_CONTINUE) return 'SASLResponse';
  return 'PasswordMessage';
}

/**
 * Sends the StartupMessage and runs the exchange to ReadyForQuery. Rejects with ServerError,
 * AuthError, ProtocolError or the transport's error; the caller owns the transport's fate.
 */
export async function runStartup(
  source: MessageSource,
  transport: Transport,
  settings: SessionSettings,
  tls: AuthTransportInfo,
  onAuthResponse?: (kind: PasswordKind) => void,
): Promise<StartupResult> {
  const out = new MessageWriter(512);
  encodeStartupMessage(out, { protocol: settings.maxProtocol, parameters: settings.parameters });
  await writeOrLastWords(source, transport, out.toBytes());
  out.clear();

  const auth = new Authenticator(settings, tls);
  const parameters = new Map<string, string>();
  const notices: ReadonlyMap<string, string>[] = [];
  const notifications: Notification[] = [];
  let protocol = settings.maxProtocol;
  let unsupportedOptions: readonly string[] = [];
  let negotiated = false;
  let first = true;
  let processId = 0;
  let secretKey: Uint8Array | null = null;

  for (;;) {
    const msg = await nextMessage(source, transport);
    if (first && msg.type !== 'NegotiateProtocolVersion' && msg.type !== 'ErrorResponse' && msg.code !== MessageCode.AUTHENTICATION) {
      throw unexpected(msg, 'as the first startup reply');
    }
    first = false;
    if (msg.code === MessageCode.AUTHENTICATION) {
      await auth.respond(msg, out);
      if (out.length > 0) {
        onAuthResponse?.(answerKind(msg));
        const bytes = out.toBytes();
        out.clear();
        await writeOrLastWords(source, transport, bytes);
      }
      continue;
    }
    switch (msg.type) {
      case 'ErrorResponse':
        throw new ServerError(new Map(msg.fields));
      case 'NegotiateProtocolVersion':
        if (negotiated) throw unexpected(msg, 'twice during startup');
        protocol = negotiatedVersion(msg, settings);
        unsupportedOptions = [...msg.unrecognized];
        negotiated = true;
        continue;
      case 'NoticeResponse':
        if (notices.length < MAX_STARTUP_NOTICES) notices.push(new Map(msg.fields));
        continue;
      default:
        break;
    }
    if (msg.type === 'NotificationResponse' && auth.authenticated) {
      if (notifications.length < MAX_STARTUP_NOTICES) notifications.push({ channel: msg.channel, payload: msg.payload, processId: msg.processId });
      continue;
    }
    if (!auth.authenticated) throw unexpected(msg, 'before AuthenticationOk');
    switch (msg.type) {
      case 'ParameterStatus':
        setParameter(parameters, msg.name, msg.value);
        continue;
      case 'BackendKeyData':
        if (secretKey !== null) throw unexpected(msg, 'twice during startup');
        checkCancelKey(msg.secretKey, protocol);
        processId = msg.processId;
        secretKey = msg.secretKey.slice();
        continue;
      case 'ReadyForQuery':
        return {
          parameters,
          processId,
          secretKey: secretKey ?? new Uint8Array(0),
          protocol,
          unsupportedOptions,
          authMethod: auth.method,
          encrypted: tls.encrypted,
          notices,
          notifications,
          transactionStatus: msg.status as TransactionStatus,
        };
      default:
        throw unexpected(msg, 'during startup');
    }
  }
}
