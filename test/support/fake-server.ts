/**
 * A scripted fake PostgreSQL server for hostile tests: a net.Server on 127.0.0.1:0 that runs one
 * async script per accepted connection. The script plays the server with the library's own
 * backend encoders (`send`) and frontend framing (`FrontendReader`), or with raw bytes
 * (`sendRaw`) when it must break the protocol; it can upgrade to TLS at any point, fall silent, or
 * close. Everything the client sent is recorded (decoded messages and raw bytes), so a test can
 * assert what a client did NOT send (no StartupMessage after a refused SSLRequest, no password
 * after a refused method).
 *
 * Scripts never leak errors: a script that throws (usually because the client went away while it
 * was reading) records the error on its session.
 */
import net from 'node:net';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import { encodeBackend } from '../../src/protocol/backend/index.js';
import { encodeDataRow } from '../../src/protocol/backend/data-row.js';
import { AuthCode, MessageCode, TransactionStatus } from '../../src/protocol/codes.js';
import { FrontendReader } from '../../src/protocol/frontend/frontend-reader.js';
import type { BackendMessage, FrontendMessage, PasswordKind } from '../../src/protocol/messages.js';
import { MessageWriter } from '../../src/protocol/writer.js';

/** The client closed (or reset) the connection while the script was waiting for input. */
export class ClientGone extends Error {
  constructor(what: string) {
    super(`fake server: the client went away (${what})`);
    this.name = 'ClientGone';
  }
}

/** Certificates and options for the server side of a TLS upgrade. */
export interface FakeTlsOptions {
  cert: string;
  key: string;
  /** ALPN protocols the server accepts (default ['postgresql']); false: no ALPN at all. */
  alpn?: string[] | false;
  /** CA to verify client certificates with (requests a client certificate when set). */
  ca?: string;
}

/** One accepted connection, as seen by its script. */
export class FakeSession {
  /** The TCP socket (or, for an in-memory session, the server's end of the pair). */
  readonly raw: net.Socket | Duplex;
  /** The stream the session currently speaks on (the TCP socket, or the TLS socket after an upgrade). */
  stream: Duplex;
  /** True after `upgradeTls()`. */
  encrypted = false;
  /** The ALPN protocol selected during the TLS handshake (false when none). */
  alpn: string | false = false;
  /** Every message decoded so far, in order. */
  readonly received: FrontendMessage[] = [];
  /** Every chunk the client sent, as the script reads it (TCP bytes before TLS, decrypted bytes after). */
  readonly chunks: Uint8Array[] = [];
  /** Every chunk that crossed the TCP connection from the client, ciphertext included. */
  readonly wire: Uint8Array[] = [];
  /** The error the script ended with, if any. */
  error: unknown = undefined;
  /** Resolves when the TCP connection is fully closed (by either side). */
  readonly gone: Promise<void>;
  /** True once the client ended or reset the TCP connection (before the script closed it). */
  clientClosed = false;

  #reader = new FrontendReader();
  #inbox: Uint8Array[] = [];
  #eof: Error | null = null;
  #wake: (() => void) | null = null;
  #onData = (chunk: Buffer): void => {
    const c = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength).slice();
    this.chunks.push(c);
    this.#inbox.push(c);
    this.#notify();
  };

  constructor(socket: net.Socket | Duplex) {
    this.raw = socket;
    this.stream = socket;
    if (socket instanceof net.Socket) socket.setNoDelay(true);
    socket.on('error', () => undefined);
    socket.on('end', () => {
      this.clientClosed = true;
      this.#eof ??= new ClientGone('end');
      this.#notify();
    });
    this.gone = new Promise<void>((resolve) =>
      socket.on('close', () => {
        if (!this.#closedByScript) this.clientClosed = true;
        this.#eof ??= new ClientGone('close');
        this.#notify();
        resolve();
      }),
    );
    socket.on('data', (chunk: Buffer) => this.wire.push(Uint8Array.from(chunk)));
    socket.on('data', this.#onData);
  }

  #closedByScript = false;

  #notify(): void {
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }

  /** Waits for more input; throws ClientGone at end of stream. */
  async #more(): Promise<void> {
    if (this.#inbox.length > 0) {
      for (const c of this.#inbox) this.#reader.push(c);
      this.#inbox = [];
      return;
    }
    if (this.#eof !== null) throw this.#eof;
    await new Promise<void>((resolve) => (this.#wake = resolve));
  }

  /** The next startup-phase packet: StartupMessage, SSLRequest, GSSENCRequest or CancelRequest. */
  async readStartup(): Promise<FrontendMessage> {
    if (this.#reader.phase !== 'startup') throw new Error('fake server: readStartup() after the StartupMessage');
    return this.read();
  }

  /**
   * The next frontend message. `passwordKind` tells what a `p` message is (SASLInitialResponse,
   * SASLResponse, …); it stays in effect for later reads until changed.
   */
  async read(passwordKind?: PasswordKind): Promise<FrontendMessage> {
    if (passwordKind !== undefined) this.#reader.passwordKind = passwordKind;
    for (;;) {
      const msg = this.#reader.next();
      if (msg !== null) {
        this.received.push(msg);
        return msg;
      }
      await this.#more();
    }
  }

  /** Reads the next message and checks its type. */
  async expect<T extends FrontendMessage['type']>(type: T, passwordKind?: PasswordKind): Promise<Extract<FrontendMessage, { type: T }>> {
    const msg = await this.read(passwordKind);
    if (msg.type !== type) throw new Error(`fake server: expected ${type}, got ${msg.type}`);
    return msg as Extract<FrontendMessage, { type: T }>;
  }

  /** Encodes and sends backend messages, all in one write (one TCP segment on loopback). */
  send(...msgs: BackendMessage[]): void {
    const w = new MessageWriter(256);
    for (const m of msgs) encodeBackend(w, m);
    this.sendRaw(w.toBytes());
  }

  /** Sends a DataRow of text values. */
  sendRow(values: readonly (string | null)[]): void {
    const w = new MessageWriter(256);
    encodeDataRow(w, values);
    this.sendRaw(w.toBytes());
  }

  /** Sends bytes as they are. */
  sendRaw(...parts: (Uint8Array | string)[]): void {
    const bytes = Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
    if (!this.stream.destroyed) this.stream.write(bytes);
  }

  /** Waits until everything written so far has been handed to the kernel. */
  async drain(): Promise<void> {
    if (this.stream.destroyed) return;
    await new Promise<void>((resolve) => this.stream.write(new Uint8Array(0), () => resolve()));
  }

  /**
   * Turns the session into TLS (server side) and waits for the handshake. Bytes the client already
   * sent that were not read as messages are handed to TLS (direct TLS starts with the ClientHello).
   */
  async upgradeTls(options: FakeTlsOptions): Promise<void> {
    if (this.#reader.buffered > 0) throw new Error('fake server: unread frontend bytes before the TLS upgrade');
    const raw = this.raw;
    raw.off('data', this.#onData);
    raw.pause();
    const leftover = this.#inbox;
    this.#inbox = [];
    const plain = bridge(raw, leftover);
    const secure = new tls.TLSSocket(plain, {
      isServer: true,
      secureContext: tls.createSecureContext({ cert: options.cert, key: options.key, ...(options.ca ? { ca: options.ca } : {}) }),
      ...(options.alpn === false ? {} : { ALPNProtocols: options.alpn ?? ['postgresql'] }),
      ...(options.ca ? { requestCert: true, rejectUnauthorized: false } : {}),
    });
    secure.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error): void => {
        secure.off('secure', onSecure);
        secure.off('error', onError);
        secure.off('close', onClose);
        if (err) reject(err);
        else resolve();
      };
      const onSecure = (): void => done();
      const onError = (err: Error): void => done(err);
      const onClose = (): void => done(new ClientGone('closed during the TLS handshake'));
      secure.on('secure', onSecure);
      secure.on('error', onError);
      secure.on('close', onClose);
    });
    this.alpn = secure.alpnProtocol ?? false;
    this.stream = secure;
    this.encrypted = true;
    secure.on('data', this.#onData);
    secure.on('end', () => {
      this.clientClosed = true;
      this.#eof ??= new ClientGone('TLS end');
      this.#notify();
    });
  }

  /** Sends AuthenticationOk (unless `authOk: false`), the usual ParameterStatus, BackendKeyData and ReadyForQuery. */
  sendReady(
    options: { parameters?: Record<string, string>; secretKey?: Uint8Array | null; processId?: number; authOk?: boolean } = {},
  ): void {
    const params = { server_version: '18.0 (fake)', client_encoding: 'UTF8', server_encoding: 'UTF8', ...options.parameters };
    const msgs: BackendMessage[] = [];
    if (options.authOk !== false) msgs.push({ type: 'AuthenticationOk', code: MessageCode.AUTHENTICATION, auth: AuthCode.OK });
    for (const [name, value] of Object.entries(params)) msgs.push({ type: 'ParameterStatus', code: MessageCode.PARAMETER_STATUS, name, value });
    const key = options.secretKey === undefined ? Uint8Array.of(1, 2, 3, 4) : options.secretKey;
    if (key !== null) msgs.push({ type: 'BackendKeyData', code: MessageCode.BACKEND_KEY_DATA, processId: options.processId ?? 4242, secretKey: key });
    msgs.push(readyForQuery());
    this.send(...msgs);
  }

  /**
   * Serves simple queries until the client terminates: every Query gets one text column `?column?`
   * with the value `1`, CommandComplete `SELECT 1` and ReadyForQuery.
   */
  async serveQueries(): Promise<string[]> {
    const seen: string[] = [];
    for (;;) {
      let msg: FrontendMessage;
      try {
        msg = await this.read();
      } catch (err) {
        if (err instanceof ClientGone) return seen;
        throw err;
      }
      if (msg.type === 'Terminate') return seen;
      if (msg.type !== 'Query') throw new Error(`fake server: cannot serve ${msg.type}`);
      seen.push(msg.sql);
      this.send({
        type: 'RowDescription',
        code: MessageCode.ROW_DESCRIPTION,
        fields: [{ name: '?column?', tableOid: 0, columnAttr: 0, typeOid: 23, typeSize: 4, typeModifier: -1, format: 0 }],
      });
      this.sendRow(['1']);
      this.send({ type: 'CommandComplete', code: MessageCode.COMMAND_COMPLETE, tag: 'SELECT 1', rows: 1 }, readyForQuery());
    }
  }

  /** Ends the connection gracefully (FIN after pending writes). */
  close(): void {
    this.#closedByScript = true;
    this.stream.end();
    this.raw.end();
  }

  /** Resets the connection at once. */
  destroy(): void {
    this.#closedByScript = true;
    this.stream.destroy();
    this.raw.destroy();
  }

  /** Stays silent (the bytes that arrive are still recorded in `chunks`) until the client goes away. */
  async silence(): Promise<void> {
    for (;;) {
      this.#inbox = [];
      if (this.#eof !== null) return;
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  /** Types of the messages received so far. */
  get types(): string[] {
    return this.received.map((m) => m.type);
  }
}

/** A plain Duplex over `raw` that first yields `leftover` (bytes already taken off the socket). */
function bridge(raw: net.Socket | Duplex, leftover: Uint8Array[]): Duplex {
  const d = new Duplex({
    read() {
      raw.resume();
    },
    write(chunk: Buffer, _enc, cb) {
      if (raw.destroyed) cb();
      else raw.write(chunk, () => cb());
    },
    final(cb) {
      raw.end();
      cb();
    },
    destroy(err, cb) {
      raw.destroy();
      cb(err);
    },
  });
  for (const c of leftover) d.push(c);
  raw.on('data', (c: Buffer) => {
    if (!d.push(c)) raw.pause();
  });
  raw.on('end', () => d.push(null));
  raw.on('close', () => d.destroy());
  return d;
}

/** ReadyForQuery (idle). */
export function readyForQuery(): BackendMessage {
  return { type: 'ReadyForQuery', code: MessageCode.READY_FOR_QUERY, status: TransactionStatus.IDLE };
}

/** An ErrorResponse with the given SQLSTATE and message (severity FATAL unless given). */
export function errorResponse(sqlstate: string, message: string, severity = 'FATAL', extra: Record<string, string> = {}): BackendMessage {
  const fields = new Map<string, string>([
    ['S', severity],
    ['V', severity],
    ['C', sqlstate],
    ['M', message],
    ...Object.entries(extra),
  ]);
  return { type: 'ErrorResponse', code: MessageCode.ERROR_RESPONSE, fields };
}

/** Authentication request messages by name. */
export const auth = {
  ok: (): BackendMessage => ({ type: 'AuthenticationOk', code: MessageCode.AUTHENTICATION, auth: AuthCode.OK }),
  cleartext: (): BackendMessage => ({ type: 'AuthenticationCleartextPassword', code: MessageCode.AUTHENTICATION, auth: AuthCode.CLEARTEXT_PASSWORD }),
  md5: (salt = Uint8Array.of(1, 2, 3, 4)): BackendMessage => ({ type: 'AuthenticationMD5Password', code: MessageCode.AUTHENTICATION, auth: AuthCode.MD5_PASSWORD, salt }),
  sasl: (mechanisms: string[]): BackendMessage => ({ type: 'AuthenticationSASL', code: MessageCode.AUTHENTICATION, auth: AuthCode.SASL, mechanisms }),
  saslContinue: (data: string | Uint8Array): BackendMessage => ({
    type: 'AuthenticationSASLContinue',
    code: MessageCode.AUTHENTICATION,
    auth: AuthCode.SASL_CONTINUE,
    data: typeof data === 'string' ? new TextEncoder().encode(data) : data,
  }),
  saslFinal: (data: string | Uint8Array): BackendMessage => ({
    type: 'AuthenticationSASLFinal',
    code: MessageCode.AUTHENTICATION,
    auth: AuthCode.SASL_FINAL,
    data: typeof data === 'string' ? new TextEncoder().encode(data) : data,
  }),
  gss: (): BackendMessage => ({ type: 'AuthenticationGSS', code: MessageCode.AUTHENTICATION, auth: AuthCode.GSS }),
  sspi: (): BackendMessage => ({ type: 'AuthenticationSSPI', code: MessageCode.AUTHENTICATION, auth: AuthCode.SSPI }),
};

/** A script: what the server does on one connection. */
export type FakeScript = (s: FakeSession) => Promise<void>;

/** A running fake server. */
export interface FakeServer {
  readonly host: string;
  readonly port: number;
  /** Sessions in accept order. */
  readonly sessions: FakeSession[];
  /** The `i`-th session, once accepted. */
  session(i?: number): Promise<FakeSession>;
  /** Resolves when the `i`-th session's script has finished (its error, if any, is on the session). */
  finished(i?: number): Promise<FakeSession>;
  /** A TCP connection to this server (may still be connecting). */
  dial(): net.Socket;
  /** Stops listening and destroys every open connection. */
  close(): Promise<void>;
}

/** Starts a fake server running `script` on every connection (or `scripts[i]` on the i-th). */
export async function startFakeServer(script: FakeScript | FakeScript[]): Promise<FakeServer> {
  const sessions: FakeSession[] = [];
  const finishedPromises: Promise<FakeSession>[] = [];
  const waiters: (() => void)[] = [];
  const server = net.createServer((socket) => {
    const s = new FakeSession(socket);
    const i = sessions.length;
    sessions.push(s);
    const run = Array.isArray(script) ? script[i] : script;
    finishedPromises[i] = (async () => {
      try {
        if (run === undefined) throw new Error(`fake server: no script for connection ${i}`);
        await run(s);
      } catch (err) {
        s.error = err;
      }
      return s;
    })();
    for (const w of waiters.splice(0)) w();
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address() as net.AddressInfo;
  const until = async (i: number): Promise<void> => {
    while (sessions.length <= i) await new Promise<void>((r) => waiters.push(r));
  };
  return {
    host: '127.0.0.1',
    port: addr.port,
    sessions,
    async session(i = 0) {
      await until(i);
      return sessions[i]!;
    },
    async finished(i = 0) {
      await until(i);
      return finishedPromises[i]!;
    },
    dial() {
      const sock = net.connect(addr.port, '127.0.0.1');
      return sock;
    },
    async close() {
      for (const s of sessions) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
