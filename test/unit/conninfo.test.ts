import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseConnectionString, SOCKET_DIRECTORIES, unixSocketPath, type ConnectOptions } from '../../src/conninfo/conninfo.js';
import { ConfigError, ErrorCode } from '../../src/errors.js';
import { ProtocolVersion } from '../../src/protocol/codes.js';
import { defaultSocketDirectory, resolveConnectOptions } from '../../src/transport/node/local-facts.js';

const parse = (s: string): Record<string, string> => Object.fromEntries(parseConnectionString(s));
const resolve = (s?: string, env: Record<string, string> = {}, input?: Parameters<typeof resolveConnectOptions>[1]): ConnectOptions =>
  resolveConnectOptions(s, input, env);

/** Runs `fn`, expects a ConfigError with the stable code, and returns its message. */
function configErrorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).code).toBe(ErrorCode.INVALID_CONNECTION_STRING);
    expect((e as ConfigError).fatal).toBe(false);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('URI syntax (libpq src/interfaces/libpq/t/001_uri.pl)', () => {
  const cases: [string, Record<string, string>][] = [
    ['postgresql://uri-user:secret@host:12345/db', { user: 'uri-user', password: 'secret', dbname: 'db', host: 'host', port: '12345' }],
    ['postgresql://uri-user@host:12345/db', { user: 'uri-user', dbname: 'db', host: 'host', port: '12345' }],
    ['postgresql://uri-user@host/db', { user: 'uri-user', dbname: 'db', host: 'host' }],
    ['postgresql://host:12345/db', { dbname: 'db', host: 'host', port: '12345' }],
    ['postgresql://host/db', { dbname: 'db', host: 'host' }],
    ['postgresql://uri-user@host:12345/', { user: 'uri-user', host: 'host', port: '12345' }],
    ['postgresql://uri-user@host/', { user: 'uri-user', host: 'host' }],
    ['postgresql://uri-user@', { user: 'uri-user' }],
    ['postgresql://host:12345/', { host: 'host', port: '12345' }],
    ['postgresql://host:12345', { host: 'host', port: '12345' }],
    ['postgresql://host/', { host: 'host' }],
    ['postgresql://host', { host: 'host' }],
    ['postgresql://', {}],
    ['postgresql://?hostaddr=127.0.0.1', { hostaddr: '127.0.0.1' }],
    ['postgresql://example.com?hostaddr=63.1.2.4', { host: 'example.com', hostaddr: '63.1.2.4' }],
    ['postgresql://%68ost/', { host: 'host' }],
    ['postgresql://host/db?user=uri-user', { user: 'uri-user', dbname: 'db', host: 'host' }],
    ['postgresql://host/db?user=uri-user&port=12345', { user: 'uri-user', dbname: 'db', host: 'host', port: '12345' }],
    ['postgresql://host/db?u%73er=someotheruser&port=12345', { user: 'someotheruser', dbname: 'db', host: 'host', port: '12345' }],
    ['postgresql://host:12345?user=uri-user', { user: 'uri-user', host: 'host', port: '12345' }],
    ['postgresql://host?user=uri-user', { user: 'uri-user', host: 'host' }],
    ['postgresql://host?', { host: 'host' }],
    ['postgresql://[::1]:12345/db', { dbname: 'db', host: '::1', port: '12345' }],
    ['postgresql://[::1]/db', { dbname: 'db', host: '::1' }],
    ['postgresql://[2001:db8::1234]/', { host: '2001:db8::1234' }],
    ['postgresql://[200z:db8::1234]/', { host: '200z:db8::1234' }],
    ['postgresql://[::1]', { host: '::1' }],
    ['postgres://', {}],
    ['postgres:///', {}],
    ['postgres:///db', { dbname: 'db' }],
    ['postgres://uri-user@/db', { user: 'uri-user', dbname: 'db' }],
    ['postgres://?host=/path/to/socket/dir', { host: '/path/to/socket/dir' }],
    ['postgres://@host', { host: 'host' }],
    ['postgres://host:/', { host: 'host' }],
    ['postgres://:12345/', { port: '12345' }],
    ['postgres://otheruser@?host=/no/such/directory', { user: 'otheruser', host: '/no/such/directory' }],
    ['postgres://otheruser@/?host=/no/such/directory', { user: 'otheruser', host: '/no/such/directory' }],
    ['postgres://otheruser@:12345?host=/no/such/socket/path', { user: 'otheruser', host: '/no/such/socket/path', port: '12345' }],
    ['postgres://otheruser@:12345/db?host=/path/to/socket', { user: 'otheruser', dbname: 'db', host: '/path/to/socket', port: '12345' }],
    ['postgres://:12345/db?host=/path/to/socket', { dbname: 'db', host: '/path/to/socket', port: '12345' }],
    ['postgres://:12345?host=/path/to/socket', { host: '/path/to/socket', port: '12345' }],
    ['postgres://%2Fvar%2Flib%2Fpostgresql/dbname', { dbname: 'dbname', host: '/var/lib/postgresql' }],
    // The libpq documentation's own examples (libpq-connect.html, "Connection URIs").
    ['postgresql://localhost', { host: 'localhost' }],
    ['postgresql://localhost:5433', { host: 'localhost', port: '5433' }],
    ['postgresql://localhost/mydb', { host: 'localhost', dbname: 'mydb' }],
    ['postgresql://user@localhost', { user: 'user', host: 'localhost' }],
    ['postgresql://user:secret@localhost', { user: 'user', password: 'secret', host: 'localhost' }],
    ['postgresql://other@localhost/otherdb?connect_timeout=10&application_name=myapp',
      { user: 'other', host: 'localhost', dbname: 'otherdb', connect_timeout: '10', application_name: 'myapp' }],
    ['postgresql://host1:123,host2:456/somedb?target_session_attrs=any&application_name=myapp',
      { host: 'host1,host2', port: '123,456', dbname: 'somedb', target_session_attrs: 'any', application_name: 'myapp' }],
    ['postgresql:///mydb?host=localhost&port=5433', { dbname: 'mydb', host: 'localhost', port: '5433' }],
    ['postgresql://[2001:db8::1234]/database', { host: '2001:db8::1234', dbname: 'database' }],
    ['postgresql:///dbname?host=/var/lib/postgresql', { dbname: 'dbname', host: '/var/lib/postgresql' }],
    // Further libpq behaviour.
    ['postgresql://h1,[::1]:5433,h3:5434/db', { host: 'h1,::1,h3', port: ',5433,5434', dbname: 'db' }],
    ['postgresql://u%40x:p%40ss%2Fw%3Fd@h/d%C3%A9j%C3%A0', { user: 'u@x', password: 'p@ss/w?d', host: 'h', dbname: 'déjà' }],
    ['postgresql://h?ssl=true', { host: 'h', sslmode: 'require' }],
    ['postgresql://h?requiressl=1', { host: 'h', sslmode: 'require' }],
    ['postgresql://h?requiressl=0', { host: 'h', sslmode: 'prefer' }],
    ['postgresql://h?port=1&port=2', { host: 'h', port: '2' }],
    ['postgresql://h?application_name=a%20b%26c', { host: 'h', application_name: 'a b&c' }],
    ['postgresql://u:@h', { user: 'u', host: 'h' }],
    ['postgresql://u:p:q@h', { user: 'u', password: 'p:q', host: 'h' }],
    ['postgresql://h?options=-c%20search_path%3Dapp', { host: 'h', options: '-c search_path=app' }],
  ];
  for (const [uri, expected] of cases) {
    it(uri, () => expect(parse(uri)).toEqual(expected));
  }

  const errors: [string, RegExp][] = [
    ['postgresql://host/db?u%7aer=someotheruser&port=12345', /invalid connection option in the URI query parameter/],
    ['postgresql://host?uzer=', /invalid connection option .*\(did you mean "user"\?\)/],
    ['postgre://', /missing "=" after the keyword at offset 0/],
    ['postgres://[::1', /missing "\]"/],
    ['postgres://[]', /empty IPv6 host address/],
    ['postgres://[::1]z', /unexpected character at offset 16/],
    ['postgresql://host?zzz', /missing key\/value separator/],
    ['postgresql://host?value1&value2', /missing key\/value separator/],
    ['postgresql://host?key=key=value', /extra key\/value separator/],
    ['postgresql://host?&', /missing key\/value separator/],
    ['postgres://host?dbname=%XXfoo', /invalid percent-encoded token in the URI query parameter value/],
    ['postgresql://a%00b', /forbidden value %00 in the URI host/],
    ['postgresql://%zz', /invalid percent-encoded token in the URI host/],
    ['postgresql://%1', /invalid percent-encoded token/],
    ['postgresql://%', /invalid percent-encoded token/],
    ['postgresql://%C3%28', /not valid UTF-8/],
    ['postgresql://h?ssl=1', /invalid connection option/],
    ['postgresql://h?service=x', /"service" .*is not supported/],
    ['postgresql://h?requirepeer=postgres', /"requirepeer" .*is not supported/],
  ];
  for (const [uri, message] of errors) {
    it(`rejects ${uri}`, () => expect(configErrorOf(() => parseConnectionString(uri))).toMatch(message));
  }
});

describe('key=value syntax', () => {
  const cases: [string, Record<string, string>][] = [
    ['', {}],
    ['   ', {}],
    ['host=localhost port=5432 dbname=mydb connect_timeout=10',
      { host: 'localhost', port: '5432', dbname: 'mydb', connect_timeout: '10' }],
    ["password='a b\\' c'", { password: "a b' c" }],
    ["password='back\\\\slash'", { password: 'back\\slash' }],
    ['password=un\\ quoted\\\\x', { password: 'un quoted\\x' }],
    ["dbname = 'my db'  user\t=\tbob", { dbname: 'my db', user: 'bob' }],
    ["host=''", { host: '' }],
    ['host=', { host: '' }],
    // libpq skips blanks after "=", so an empty value followed by a blank swallows the next token.
    ['host= port=5432', { host: 'port=5432' }],
    ["host='a'port=5", { host: 'a', port: '5' }],
    ['host=a host=b', { host: 'b' }],
    ['host=::1', { host: '::1' }],
    ['host=/tmp,/var/run/postgresql port=5432,5433', { host: '/tmp,/var/run/postgresql', port: '5432,5433' }],
    ['host=%2Ftmp', { host: '%2Ftmp' }],
    ['requiressl=1', { sslmode: 'require' }],
    ["options='-c geqo=off'", { options: '-c geqo=off' }],
    ["application_name='O\\'Brien'", { application_name: "O'Brien" }],
    ['password=ünïcødé', { password: 'ünïcødé' }],
  ];
  for (const [s, expected] of cases) {
    it(JSON.stringify(s), () => expect(parse(s)).toEqual(expected));
  }

  const errors: [string, RegExp][] = [
    ['mydb', /missing "=" after the keyword at offset 0/],
    ['host=a b', /missing "=" after the keyword at offset 7/],
    ['host = a b c=d', /missing "=" after the keyword at offset 9/],
    ["password='abc", /unterminated quoted string \(opened at offset 9\)/],
    ["password='abc\\'", /unterminated quoted string/],
    ['hots=x', /invalid connection option at offset 0 \(did you mean "host"\?\)/],
    ['=x', /invalid connection option at offset 0/],
    ['__proto__=x', /invalid connection option/],
    ['host=a\0b', /NUL character at offset 6/],
    ['service=prod', /"service" at offset 0 is not supported/],
    ['oauth_client_secret=x', /not supported/],
  ];
  for (const [s, message] of errors) {
    it(`rejects ${JSON.stringify(s)}`, () => expect(configErrorOf(() => parseConnectionString(s))).toMatch(message));
  }
});

describe('resolution and defaults', () => {
  it('fills libpq defaults', () => {
    const o = resolve('');
    const me = userInfo().username;
    expect(o.user).toBe(me);
    expect(o.database).toBe(me);
    expect(o.hosts).toEqual([{ host: defaultSocketDirectory(5432), port: 5432, isUnixSocket: true }]);
    expect(o.password).toBeUndefined();
    expect(o.sslmode).toBe('prefer');
    expect(o.sslnegotiation).toBe('postgres');
    expect(o.sslsni).toBe(true);
    expect(o.channelBinding).toBe('prefer');
    expect(o.gssencmode).toBe('disable');
    expect(o.sslcertmode).toBe('allow');
    expect(o.sslMinProtocolVersion).toBe('TLSv1.2');
    expect(o.targetSessionAttrs).toBe('any');
    expect(o.loadBalanceHosts).toBe('disable');
    expect(o.keepalives).toBe(true);
    expect(o.minProtocol).toBe(ProtocolVersion.V3_0);
    expect(o.maxProtocol).toBe(ProtocolVersion.V3_0);
    expect(o.connectTimeoutMs).toBeUndefined();
    expect([...o.startupParameters]).toEqual([['user', me], ['database', me]]);
  });

  it('picks an existing socket directory for the default host', () => {
    const dir = defaultSocketDirectory();
    expect(SOCKET_DIRECTORIES as readonly string[]).toContain(dir);
    expect(existsSync(dir)).toBe(true);
    expect(unixSocketPath({ host: '/tmp', port: 5433, isUnixSocket: true })).toBe('/tmp/.s.PGSQL.5433');
    expect(unixSocketPath({ host: '@pg', port: 5432, isUnixSocket: true })).toBe('\0pg/.s.PGSQL.5432');
  });

  it('resolves hosts, ports and Unix sockets', () => {
    expect(resolve('postgresql://h1:5432,[::1]:5433,/db').hosts).toEqual([
      { host: 'h1', port: 5432, isUnixSocket: false },
      { host: '::1', port: 5433, isUnixSocket: false },
      { host: defaultSocketDirectory(5432), port: 5432, isUnixSocket: true },
    ]);
    expect(resolve('host=%2Ftmp').hosts[0]).toEqual({ host: '%2Ftmp', port: 5432, isUnixSocket: false });
    expect(resolve('postgresql://%2Ftmp/db').hosts[0]).toEqual({ host: '/tmp', port: 5432, isUnixSocket: true });
    expect(resolve('postgresql:///db?host=/tmp').hosts[0]).toEqual({ host: '/tmp', port: 5432, isUnixSocket: true });
    expect(resolve('host=@abstract').hosts[0]!.isUnixSocket).toBe(true);
    expect(resolve('host=a,b,c port=6000').hosts.map((h) => h.port)).toEqual([6000, 6000, 6000]);
    expect(resolve('host=a,,c port=1,2,').hosts).toEqual([
      { host: 'a', port: 1, isUnixSocket: false },
      { host: defaultSocketDirectory(2), port: 2, isUnixSocket: true },
      { host: 'c', port: 5432, isUnixSocket: false },
    ]);
    expect(resolve('host=db.example hostaddr=10.0.0.1').hosts).toEqual([
      { host: 'db.example', hostaddr: '10.0.0.1', port: 5432, isUnixSocket: false },
    ]);
    expect(resolve('hostaddr=10.0.0.1,::1').hosts).toEqual([
      { host: '10.0.0.1', hostaddr: '10.0.0.1', port: 5432, isUnixSocket: false },
      { host: '::1', hostaddr: '::1', port: 5432, isUnixSocket: false },
    ]);
    expect(resolve('port=" 5433 "'.replace(/"/g, "'")).hosts[0]!.port).toBe(5433);
  });

  it('rejects bad host lists and ports', () => {
    expect(configErrorOf(() => resolve('host=a,b port=1,2,3'))).toMatch(/could not match 3 port numbers to 2 hosts/);
    expect(configErrorOf(() => resolve('host=a,b hostaddr=1.1.1.1'))).toMatch(/could not match 2 host names to 1 hostaddr values/);
    expect(configErrorOf(() => resolve('hostaddr=not-an-ip'))).toMatch(/hostaddr element 1 is not a numeric/);
    for (const port of ['0', '65536', '-1', 'abc', '5432x', '99999999999', '1.5']) {
      expect(configErrorOf(() => resolve(`port=${port}`))).toMatch(/invalid port number|invalid integer value|out of range/);
    }
    expect(resolve('port=65535').hosts[0]!.port).toBe(65535);
    expect(resolve('port=1').hosts[0]!.port).toBe(1);
  });

  it('applies connect_timeout as libpq does', () => {
    expect(resolve('connect_timeout=10').connectTimeoutMs).toBe(10_000);
    expect(resolve('connect_timeout=1').connectTimeoutMs).toBe(2_000);
    expect(resolve('connect_timeout=2').connectTimeoutMs).toBe(2_000);
    expect(resolve('connect_timeout=0').connectTimeoutMs).toBeUndefined();
    expect(resolve('connect_timeout=-5').connectTimeoutMs).toBeUndefined();
    expect(resolve("connect_timeout=' 7 '").connectTimeoutMs).toBe(7_000);
    expect(configErrorOf(() => resolve('connect_timeout=ten'))).toMatch(/invalid integer value for connection option "connect_timeout"/);
    expect(configErrorOf(() => resolve('connect_timeout='))).toMatch(/invalid integer value/);
    expect(resolve('connect_timeout=10', {}, { connectTimeoutMs: 1500 }).connectTimeoutMs).toBe(1500);
    expect(resolve('connect_timeout=10', {}, { connectTimeoutMs: 0 }).connectTimeoutMs).toBeUndefined();
  });

  it('validates enumerated values without quoting them', () => {
    const bad: [string, RegExp][] = [
      ['sslmode=bogus', /invalid sslmode value \(expected one of: disable, allow, prefer, require, verify-ca, verify-full\)/],
      ['sslmode=', /invalid sslmode value/],
      ['sslnegotiation=maybe', /invalid sslnegotiation value/],
      ['channel_binding=always', /invalid channel_binding value/],
      ['target_session_attrs=master', /invalid target_session_attrs value/],
      ['load_balance_hosts=yes', /invalid load_balance_hosts value/],
      ['sslcertmode=maybe', /invalid sslcertmode value/],
      ['gssencmode=bogus', /invalid gssencmode value/],
      ['gssencmode=require', /not supported/],
      ['ssl_min_protocol_version=SSLv3', /invalid ssl_min_protocol_version value/],
      ['ssl_min_protocol_version=TLSv1.3 ssl_max_protocol_version=TLSv1.2', /invalid SSL protocol version range/],
      ['min_protocol_version=3.1', /invalid min_protocol_version value \(expected one of: 3.0, 3.2, latest\)/],
      ['max_protocol_version=4', /invalid max_protocol_version value/],
      ['min_protocol_version=3.2 max_protocol_version=3.0', /min_protocol_version is greater than max_protocol_version/],
      ['keepalives=yes', /invalid integer value for connection option "keepalives"/],
      ['keepalives_idle=', /invalid integer value/],
    ];
    for (const [s, message] of bad) {
      const text = configErrorOf(() => resolve(s));
      expect(text, s).toMatch(message);
      const value = s.split('=').pop()!;
      if (value.length > 3 && value !== 'require') expect(text).not.toContain(value);
    }
  });

  it('enforces libpq TLS combinations', () => {
    expect(configErrorOf(() => resolve('sslnegotiation=direct'))).toMatch(/weak sslmode "prefer" may not be used with sslnegotiation=direct/);
    expect(configErrorOf(() => resolve('sslnegotiation=direct sslmode=allow'))).toMatch(/weak sslmode "allow"/);
    for (const mode of ['require', 'verify-ca', 'verify-full']) {
      expect(resolve(`sslnegotiation=direct sslmode=${mode}`).sslnegotiation).toBe('direct');
    }
    expect(resolve('sslrootcert=system').sslmode).toBe('verify-full');
    expect(configErrorOf(() => resolve('sslrootcert=system sslmode=require'))).toMatch(/weak sslmode "require" may not be used with sslrootcert=system/);
    expect(() => resolve('sslmode=disable', { PGSSLROOTCERT: 'system' })).toThrow(ConfigError);
  });

  it('parses every option into typed fields', () => {
    const o = resolve(
      "host=h user=u dbname=d password='p w' application_name=app fallback_application_name=fb options='-c x=y' "
      + 'client_encoding=auto sslmode=verify-full sslnegotiation=direct sslsni=0 sslrootcert=/ca sslcert=/c sslkey=/k '
      + 'sslpassword=kp sslcrl=/crl sslcrldir=/crld sslcertmode=require ssl_max_protocol_version=TLSv1.3 '
      + 'channel_binding=require require_auth=scram-sha-256 target_session_attrs=read-write load_balance_hosts=random '
      + 'keepalives=0 keepalives_idle=30 keepalives_interval=-4 keepalives_count=3 tcp_user_timeout=9000 '
      + 'min_protocol_version=3.2 replication=database gssencmode=prefer passfile=/x sslcompression=1 krbsrvname=k',
    );
    expect({ ...o, startupParameters: [...o.startupParameters] }).toEqual({
      hosts: [{ host: 'h', port: 5432, isUnixSocket: false }],
      user: 'u', database: 'd', passfile: '/x', applicationName: 'app', options: '-c x=y', clientEncoding: 'UTF8', replication: 'database',
      sslmode: 'verify-full', sslnegotiation: 'direct', sslsni: false, sslrootcert: '/ca', sslcert: '/c', sslkey: '/k',
      sslcrl: '/crl', sslcrldir: '/crld', sslcertmode: 'require', sslMinProtocolVersion: 'TLSv1.2', sslMaxProtocolVersion: 'TLSv1.3',
      gssencmode: 'prefer', channelBinding: 'require', requireAuth: { methods: ['scram-sha-256'], allowNone: false },
      targetSessionAttrs: 'read-write', loadBalanceHosts: 'random', keepalives: false, keepalivesIdle: 30,
      keepalivesInterval: 0, keepalivesCount: 3, tcpUserTimeoutMs: 9000,
      minProtocol: ProtocolVersion.V3_2, maxProtocol: ProtocolVersion.V3_2,
      startupParameters: [['user', 'u'], ['database', 'd'], ['replication', 'database'], ['options', '-c x=y'],
        ['application_name', 'app'], ['client_encoding', 'UTF8']],
    });
    expect(o.password).toBe('p w');
    expect(o.sslpassword).toBe('kp');
    expect(resolve('fallback_application_name=fb').applicationName).toBe('fb');
    expect(resolve('max_protocol_version=latest').maxProtocol).toBe(ProtocolVersion.V3_2);
    expect(resolve('min_protocol_version=latest').maxProtocol).toBe(ProtocolVersion.V3_2);
    expect(resolve('sslsni=1').sslsni).toBe(true);
    expect(resolve('ssl_min_protocol_version=').sslMinProtocolVersion).toBeUndefined();
  });

  it('parses require_auth like libpq', () => {
    expect(resolve('require_auth=password,md5').requireAuth).toEqual({ methods: ['password', 'md5'], allowNone: false });
    expect(resolve('require_auth=none').requireAuth).toEqual({ methods: [], allowNone: true });
    expect(resolve('require_auth=!password,!md5').requireAuth).toEqual({ methods: ['gss', 'sspi', 'scram-sha-256', 'oauth'], allowNone: true });
    expect(resolve('require_auth=!none').requireAuth).toEqual({
      methods: ['password', 'md5', 'gss', 'sspi', 'scram-sha-256', 'oauth'], allowNone: false,
    });
    expect(resolve('require_auth=').requireAuth).toBeUndefined();
    expect(configErrorOf(() => resolve('require_auth=password,!md5'))).toMatch(/cannot mix/);
    expect(configErrorOf(() => resolve('require_auth=!md5,password'))).toMatch(/cannot mix/);
    expect(configErrorOf(() => resolve('require_auth=md5,md5'))).toMatch(/"md5" is specified more than once/);
    expect(configErrorOf(() => resolve('require_auth=kerberos'))).toMatch(/invalid require_auth method/);
    expect(configErrorOf(() => resolve('require_auth=password,'))).toMatch(/invalid require_auth method/);
  });

  it('reads the environment below the string and above the defaults', () => {
    const env = {
      PGHOST: 'envhost', PGPORT: '6543', PGUSER: 'envuser', PGPASSWORD: 'envpw', PGDATABASE: 'envdb',
      PGAPPNAME: 'envapp', PGOPTIONS: '-c a=b', PGCONNECT_TIMEOUT: '5', PGSSLMODE: 'require',
      PGSSLROOTCERT: '/r', PGSSLCERT: '/c', PGSSLKEY: '/k', PGSSLNEGOTIATION: 'direct', PGCHANNELBINDING: 'disable',
      PGREQUIREAUTH: 'md5', PGMAXPROTOCOLVERSION: '3.2', PGMINPROTOCOLVERSION: '3.0', PGSSLSNI: '0',
      PGDATESTYLE: 'ISO', PGTZ: 'UTC', PGGEQO: 'default',
    };
    const o = resolve('', env);
    expect(o.hosts).toEqual([{ host: 'envhost', port: 6543, isUnixSocket: false }]);
    expect([o.user, o.password, o.database, o.applicationName, o.options]).toEqual(['envuser', 'envpw', 'envdb', 'envapp', '-c a=b']);
    expect(o.connectTimeoutMs).toBe(5000);
    expect([o.sslmode, o.sslrootcert, o.sslcert, o.sslkey, o.sslnegotiation, o.channelBinding, o.sslsni])
      .toEqual(['require', '/r', '/c', '/k', 'direct', 'disable', false]);
    expect(o.requireAuth).toEqual({ methods: ['md5'], allowNone: false });
    expect([o.minProtocol, o.maxProtocol]).toEqual([ProtocolVersion.V3_0, ProtocolVersion.V3_2]);
    expect([...o.startupParameters]).toEqual([
      ['user', 'envuser'], ['database', 'envdb'], ['options', '-c a=b'], ['application_name', 'envapp'],
      ['datestyle', 'ISO'], ['timezone', 'UTC'],
    ]);

    const s = resolve('postgresql://su:spw@shost:7000/sdb?sslmode=verify-ca&application_name=sapp', env);
    expect([s.hosts[0]!.host, s.hosts[0]!.port, s.user, s.password, s.database, s.sslmode, s.applicationName])
      .toEqual(['shost', 7000, 'su', 'spw', 'sdb', 'verify-ca', 'sapp']);
    // An empty value in the string is "set": the environment is not consulted, the default applies.
    expect(resolve('host=', env).hosts[0]!.isUnixSocket).toBe(true);
    expect(resolve('user=', env).user).toBe(userInfo().username);
    expect(resolve('', { PGREQUIRESSL: '1' }).sslmode).toBe('require');
    expect(resolve('', { PGREQUIRESSL: '1', PGSSLMODE: 'allow' }).sslmode).toBe('allow');
    expect(resolve('', { PGUSER: 'x' }).database).toBe('x');
  });

  it('lets explicit options override the string and the environment', () => {
    const o = resolve('postgresql://su:spw@shost:7000/sdb?sslmode=disable', { PGAPPNAME: 'envapp', PGHOST: 'eh' }, {
      host: ['a', 'b'], port: [1, '2'], user: 'ou', password: 'opw', database: 'od', sslmode: 'verify-full',
      applicationName: 'oapp', sslsni: false, keepalives: false, replication: true, parameters: { search_path: 'app' },
      requireAuth: ['scram-sha-256', 'none'], hostaddr: undefined,
    });
    expect(o.hosts.map((h) => [h.host, h.port])).toEqual([['a', 1], ['b', 2]]);
    expect([o.user, o.password, o.database, o.sslmode, o.applicationName, o.sslsni, o.keepalives, o.replication])
      .toEqual(['ou', 'opw', 'od', 'verify-full', 'oapp', false, false, 'true']);
    expect(o.requireAuth).toEqual({ methods: ['scram-sha-256'], allowNone: true });
    expect(o.startupParameters.get('search_path')).toBe('app');
    expect(resolve('replication=true', {}, { replication: false }).replication).toBeUndefined();
    expect(resolve(undefined, {}, { host: '/tmp' }).hosts[0]!.isUnixSocket).toBe(true);
  });

  it('rejects malformed options objects', () => {
    const bad: [unknown, RegExp][] = [
      [{ hots: 'x' }, /unknown connection option "hots"/],
      [{ port: 1.5 }, /option port must be an integer/],
      [{ port: {} }, /option port must be a string/],
      [{ host: ['a,b'] }, /must not contain ","/],
      [{ host: [] }, /must not be an empty array/],
      [{ sslsni: 'yes' }, /option sslsni must be a boolean/],
      [{ connectTimeoutMs: -1 }, /non-negative integer/],
      [{ parameters: { user: 'x' } }, /startup parameter "user" is already set/],
      [{ parameters: { _pq_x: 'y', '_pq_.opt': 'x' } }, /protocol options/],
      [{ parameters: { '': 'x' } }, /non-empty/],
      [{ parameters: { a: 1 } }, /must be a string/],
      [{ password: 'a\0b' }, /"password" contains a NUL character/],
      [{ sslmode: 'nope' }, /invalid sslmode value/],
    ];
    for (const [input, message] of bad) {
      expect(configErrorOf(() => resolveConnectOptions('', input as never, {}))).toMatch(message);
    }
    expect(configErrorOf(() => resolveConnectOptions('', 'x' as never, {}))).toMatch(/must be an object/);
  });

  it('returns a frozen object that does not expose secrets when printed', () => {
    const o = resolve('postgresql://u:hunter2@h/d?sslpassword=keypass');
    expect(Object.isFrozen(o)).toBe(true);
    expect(Object.isFrozen(o.hosts)).toBe(true);
    expect(Object.isFrozen(o.hosts[0])).toBe(true);
    expect('set' in o.startupParameters).toBe(false);
    expect(Object.isFrozen(o.startupParameters)).toBe(true);
    expect(o.password).toBe('hunter2');
    expect(o.sslpassword).toBe('keypass');
    for (const text of [JSON.stringify(o), inspect(o, { depth: 5 }), JSON.stringify({ ...o })]) {
      expect(text).not.toContain('hunter2');
      expect(text).not.toContain('keypass');
    }
  });

  it('never puts the password in an error message', () => {
    const secret = 'S3cr3t-Pa55';
    const inputs = [
      `postgresql://u:${secret}@h:notaport/d`,
      `postgresql://u:${secret}@h/d?sslmode=bogus`,
      `postgresql://u:${secret}%zz@h/d`,
      `postgresql://u:${secret}%00@h/d`,
      `postgresql://u:${secret}@[::1/d`,
      `password=${secret} sslmode=${secret}`,
      `password=${secret} bogus=1`,
      `password='${secret}`,
      `password=${secret.slice(0, 4)} ${secret.slice(4)}`,
      `password=${secret.slice(0, 4)} ${secret.slice(4)}=x`,
      `host=h password=${secret} port=0`,
      `password=${secret} require_auth=${secret}`,
    ];
    for (const s of inputs) {
      const text = configErrorOf(() => resolve(s));
      expect(text, s).not.toContain(secret);
      expect(text, s).not.toContain(secret.slice(4));
    }
  });
});
