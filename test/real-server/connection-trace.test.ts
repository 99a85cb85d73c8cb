/**
 * Connection tracing in libpq's PQtrace format against a real server: both directions, startup and
 * authentication included, secrets redacted, and a throwing sink isolated from the session.
 */
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { AuthenticationMode, ConnectionBuilder, Tracer, connect } from '../../src/index.js';
import type { Connection } from '../../src/index.js';
import { stopServers, testServer } from '../support/connection-helpers.js';

afterAll(stopServers);

async function ready(conn: Connection): Promise<void> {
  for (;;) if ((await conn.recv()).type === 'ReadyForQuery') return;
}

describe('tracing a session', () => {
  it('traces startup, SCRAM and a query in both directions without the password', async () => {
    const s = await testServer();
    const lines: string[] = [];
    const { conn } = await new ConnectionBuilder('scram_user').database('postgres')
      .auth(AuthenticationMode.password('scram-secret')).sslmode('require')
      .trace((line) => lines.push(line))
      .connect(net.connect(s.port, s.host));
    conn.query('SELECT 1');
    await conn.flush();
    await ready(conn);
    await conn.close();
    const names = lines.map((l) => `${l.split('\t')[0]} ${l.split('\t')[2]}`);
    expect(names.slice(0, 4)).toEqual(['F SSLRequest', 'B SSLResponse', 'F StartupMessage', 'B AuthenticationSASL']);
    expect(names).toContain('F SASLInitialResponse');
    expect(names).toContain('F SASLResponse');
    expect(names).toContain('B AuthenticationSASLFinal');
    expect(names).toContain('B BackendKeyData');
    expect(lines).toContain('F\t13\tQuery\t "SELECT 1"');
    expect(lines).toContain('B\t5\tReadyForQuery\t I');
    expect(names.at(-1)).toBe('F Terminate');
    expect(lines.join('\n')).not.toContain('scram-secret');
  });

  it('traces a cleartext password as redacted, and survives a throwing sink', async () => {
    const s = await testServer();
    const lines: string[] = [];
    const { conn } = await connect(
      { host: s.host, port: s.port, user: 'pw_user', password: 'pw-secret', database: 'postgres', sslmode: 'require' },
      { env: {}, trace: new Tracer((l) => lines.push(l)) },
    );
    await conn.close();
    expect(lines.find((l) => l.includes('PasswordMessage'))).toBeDefined();
    expect(lines.join('\n')).not.toContain('pw-secret');

    const { conn: c2 } = await new ConnectionBuilder('trust_user').database('postgres')
      .trace(() => {
        throw new Error('sink failure');
      })
      .connect(net.connect(s.port, s.host));
    c2.query('SELECT 1');
    await c2.flush();
    await ready(c2);
    await c2.close();
  });
});
