/**
 * The test roles, their passwords and the pg_hba.conf that gives each one authentication method,
 * so one cluster exercises every method the client supports. pg_hba.conf lines are tried in order
 * and the first match wins (https://www.postgresql.org/docs/current/auth-pg-hba-conf.html).
 */

/** The cluster's superuser (created by initdb; password auth over TCP, trust on the socket). */
export const SUPERUSER = 'postgres';

/** The database every cluster has. */
export const DATABASE = 'postgres';

/** How one test role is set up. */
export interface TestRole {
  /** Password, or null for roles that have none (trust, cert). */
  password: string | null;
  /** How the password is stored: `md5` needs `password_encryption = 'md5'` when created. */
  storage: 'scram-sha-256' | 'md5' | null;
  /** What the server demands over TCP, in words (for messages and docs). */
  method: string;
}

/**
 * Every role a cluster started with `auth: true` has, with its password and method. Over TCP on
 * loopback; on the unix socket every role is trusted.
 */
export const TEST_ROLES = {
  postgres: { password: 'postgres-secret', storage: 'scram-sha-256', method: 'scram-sha-256 (superuser)' },
  trust_user: { password: null, storage: null, method: 'trust' },
  pw_user: { password: 'pw-secret', storage: 'scram-sha-256', method: 'password (cleartext)' },
  md5_user: { password: 'md5-secret', storage: 'md5', method: 'md5' },
  scram_user: { password: 'scram-secret', storage: 'scram-sha-256', method: 'scram-sha-256' },
  scram_utf8: { password: 'pässwörd-Ⅸ', storage: 'scram-sha-256', method: 'scram-sha-256 (non-ASCII password, SASLprep)' },
  ssl_only: { password: 'ssl-only-secret', storage: 'scram-sha-256', method: 'scram-sha-256 over TLS only; plaintext rejected' },
  nossl_user: { password: null, storage: null, method: 'trust without TLS only; TLS rejected' },
  certuser: { password: null, storage: null, method: 'cert (client certificate CN = role) over TLS' },
  certscram: { password: 'certscram-secret', storage: 'scram-sha-256', method: 'scram-sha-256 plus a client certificate (clientcert=verify-ca) over TLS' },
} as const satisfies Record<string, TestRole>;

/**
 * Addresses the pg_hba lines cover: all of 127/8, so a test may add e.g. 127.0.0.2 to
 * listen_addresses to reach the server under a name its certificate does not carry.
 */
const LOOPBACK = '127.0.0.0/8';

/** Name of a test role. */
export type TestRoleName = keyof typeof TEST_ROLES;

/** Quotes a SQL string literal. */
function literal(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/**
 * SQL creating every test role, one statement per line (single-user mode ends a statement at a
 * newline). PostgreSQL 13 defaults to md5 storage, so each role sets its encryption explicitly.
 */
export function roleSql(): string[] {
  const out: string[] = [];
  for (const [name, role] of Object.entries(TEST_ROLES) as [string, TestRole][]) {
    if (role.storage !== null) out.push(`SET password_encryption = ${literal(role.storage)};`);
    const pw = role.password === null ? '' : ` PASSWORD ${literal(role.password)}`;
    if (name === SUPERUSER) out.push(`ALTER ROLE ${name}${pw};`);
    else out.push(`CREATE ROLE ${name} LOGIN${pw};`);
  }
  return out;
}

/**
 * pg_hba.conf for a cluster with every method. Without TLS the hostssl lines are left out (the
 * server would only warn that they cannot match); the roles they serve then hit a reject line.
 */
export function authHba(tls: boolean): string {
  const net = LOOPBACK;
  const lines = [
    'local all all trust',
    `hostssl all certuser ${net} cert`,
    `hostssl all certscram ${net} scram-sha-256 clientcert=verify-ca`,
    `hostssl all ssl_only ${net} scram-sha-256`,
    `hostnossl all ssl_only ${net} reject`,
    `hostnossl all nossl_user ${net} trust`,
    `hostssl all nossl_user ${net} reject`,
    `host all trust_user ${net} trust`,
    `host all pw_user ${net} password`,
    `host all md5_user ${net} md5`,
    `host all scram_user ${net} scram-sha-256`,
    `host all scram_utf8 ${net} scram-sha-256`,
    `host all ${SUPERUSER} ${net} scram-sha-256`,
    `host all all ${net} reject`,
  ];
  return lines.filter((l) => tls || !l.startsWith('hostssl ')).join('\n') + '\n';
}

/** pg_hba.conf that trusts everyone on the socket and on loopback. */
export function trustHba(): string {
  return `local all all trust\nhost all all ${LOOPBACK} trust\n`;
}
