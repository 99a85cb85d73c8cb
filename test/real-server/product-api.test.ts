/**
 * PRODUCT.md's API, spelled exactly as the document shows it, against every real server the suite
 * runs: the builders the seed lists (describe, close, flushMsg, execute with a row limit, result
 * formats per column), a MessageBuffer written by hand and sent as raw bytes, and `msg.code`
 * narrowing the message union (checked by `npm run lint`, which typechecks this file).
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  AuthenticationMode,
  ConnectionBuilder,
  FormatCode,
  MessageBuffer,
  MessageCode,
  int4,
  oid,
} from '../../src/index.js';
import type { BackendMessage, Connection } from '../../src/index.js';
import { connectAs, pgServers } from '../support/facts.js';

/** Every message until ReadyForQuery, with DataRows as text. */
async function exchange(conn: Connection): Promise<{ types: string[]; rows: (string | null)[][]; msgs: BackendMessage[] }> {
  const types: string[] = [];
  const rows: (string | null)[][] = [];
  const msgs: BackendMessage[] = [];
  for (;;) {
    const msg = await conn.recv();
    types.push(msg.type);
    if (msg.code === MessageCode.DATA_ROW) {
      // `code` narrows the union: `text` exists on DataRow only.
      rows.push(Array.from({ length: msg.fieldCount }, (_, i) => msg.text(i)));
    } else {
      msgs.push(msg);
    }
    if (msg.code === MessageCode.READY_FOR_QUERY) return { types, rows, msgs };
  }
}

describe.each(pgServers().map((s) => [s.version, s] as const))('PostgreSQL %s', (_version, server) => {
  async function open(): Promise<Connection> {
    const facts = connectAs(server, 'scram_user');
    const { conn, startup } = await new ConnectionBuilder(facts.user)
      .database(facts.database)
      .auth(AuthenticationMode.password(facts.password!))
      .connect(net.connect(facts.port, facts.host));
    expect(startup.parameters.get('server_version')).toMatch(/^\d+/);
    expect(startup.secretKey).toBeInstanceOf(Uint8Array);
    expect(startup.processId).toBeGreaterThan(0);
    return conn;
  }

  it('describeStatement, bind to a named portal, describePortal, execute with a row limit, closePortal, closeStatement', async () => {
    const conn = await open();
    try {
      conn.parse('s1').query('SELECT g, g::text || $1 FROM generate_series(1, 5) g').paramTypes([oid.TEXT]).finish();
      conn.describeStatement('s1');
      conn.bind('p1').statement('s1').resultFormats([FormatCode.Binary, FormatCode.Text]).finish(['x']);
      conn.describePortal('p1').execute('p1', 2).execute('p1', 0);
      conn.closePortal('p1').closeStatement('s1').sync();
      await conn.flush();
      const { types, msgs } = await exchange(conn);
      expect(types).toEqual([
        'ParseComplete', 'ParameterDescription', 'RowDescription', 'BindComplete', 'RowDescription',
        'DataRow', 'DataRow', 'PortalSuspended', 'DataRow', 'DataRow', 'DataRow', 'CommandComplete',
        'CloseComplete', 'CloseComplete', 'ReadyForQuery',
      ]);
      const params = msgs.find((m) => m.type === 'ParameterDescription');
      expect(params?.type === 'ParameterDescription' && params.typeOids).toEqual([oid.TEXT]);
      const portal = msgs.filter((m) => m.type === 'RowDescription')[1];
      expect(portal?.type === 'RowDescription' && portal.fields.map((f) => f.format)).toEqual([FormatCode.Binary, FormatCode.Text]);
      const done = msgs.find((m) => m.type === 'CommandComplete');
      expect(done?.type === 'CommandComplete' && done.rows).toBe(3);
    } finally {
      await conn.close();
    }
  });

  it('binary results per column decode as the server wrote them', async () => {
    const conn = await open();
    try {
      conn.parse(null).query('SELECT $1::int4, $2::text').finish();
      conn.bind(null).statement(null).resultFormats([FormatCode.Binary, FormatCode.Text]).finish([int4(-7), 'ü']);
      conn.execute(null, 0).sync();
      await conn.flush();
      for (;;) {
        const msg = await conn.recv();
        if (msg.code === MessageCode.DATA_ROW) {
          const bytes = msg.bytes(0)!;
          expect(new DataView(bytes.buffer, bytes.byteOffset, 4).getInt32(0)).toBe(-7);
          expect(msg.text(1)).toBe('ü');
        }
        if (msg.code === MessageCode.READY_FOR_QUERY) break;
      }
    } finally {
      await conn.close();
    }
  });

  it('flushMsg makes the server answer before Sync; MessageBuffer chains the same builders', async () => {
    const conn = await open();
    try {
      conn.parse('f1').query('SELECT 1').finish().flushMsg();
      await conn.flush();
      expect((await conn.recv()).code).toBe(MessageCode.PARSE_COMPLETE);
      const bytes = new MessageBuffer().bind(null).statement('f1').finish([]).execute(null, 0).sync().bytes();
      // The same chain over a standalone buffer: Bind, Execute, Sync (5 bytes) as the wire carries them.
      expect(bytes[0]).toBe('B'.charCodeAt(0));
      expect(Array.from(bytes.subarray(bytes.length - 5))).toEqual([0x53, 0, 0, 0, 4]);
      conn.bind(null).statement('f1').finish([]).execute(null, 0).sync();
      await conn.flush();
      const { types, rows } = await exchange(conn);
      expect(types).toEqual(['BindComplete', 'DataRow', 'CommandComplete', 'ReadyForQuery']);
      expect(rows).toEqual([['1']]);
    } finally {
      await conn.close();
    }
  });
});
