/**
 * The seed's quick start, verbatim in TypeScript, against a real PostgreSQL: connect with a
 * password, read server_version, run a simple query and read until ReadyForQuery.
 */
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { AuthenticationMode, ConnectionBuilder, MessageCode } from '../../src/index.js';
import { stopServers, testServer } from '../support/connection-helpers.js';

afterAll(stopServers);

describe('quick start', () => {
  it('connects, queries and reads to ReadyForQuery', async () => {
    const server = await testServer();
    const socket = net.connect(server.port, server.host);
    const { conn, startup } = await new ConnectionBuilder('scram_user')
      .database('postgres')
      .auth(AuthenticationMode.password('scram-secret'))
      .connect(socket);
    expect(startup.parameters.get('server_version')).toMatch(/^18/);
    expect(startup.processId).toBeGreaterThan(0);
    expect(startup.secretKey).toBeInstanceOf(Uint8Array);
    expect(startup.secretKey.length).toBe(4);

    conn.query('SELECT version()');
    await conn.flush();
    const seen: string[] = [];
    let version = '';
    for (;;) {
      const msg = await conn.recv();
      seen.push(msg.type);
      if (msg.type === 'DataRow') version = msg.text(0) ?? '';
      if (msg.code === MessageCode.READY_FOR_QUERY) break;
    }
    expect(seen).toEqual(['RowDescription', 'DataRow', 'CommandComplete', 'ReadyForQuery']);
    expect(version).toMatch(/^PostgreSQL 18/);
    await conn.close();
  });
});
