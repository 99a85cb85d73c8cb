import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as auth from '../../src/auth/index.js';

const dir = new URL('../../src/auth/', import.meta.url).pathname;
const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));

describe('src/auth runs in browsers', () => {
  it('has source files', () => expect(files.length).toBeGreaterThan(5));
  for (const f of files) {
    it(`${f}: imports only ../errors.js and sibling auth modules; no Buffer, process or require`, () => {
      const src = readFileSync(join(dir, f), 'utf8');
      const code = src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      const imports = [...code.matchAll(/from\s+'([^']+)'/g)].map((m) => m[1]!);
      for (const i of imports) expect(i === '../errors.js' || /^\.\/[a-z0-9-]+\.js$/.test(i), `${f} imports ${i}`).toBe(true);
      expect(code).not.toMatch(/\bBuffer\b|\bprocess\.|\brequire\(|\bimport\(/);
    });
  }
  it('the barrel exports the public API', () => {
    for (const name of ['md5Password', 'saslprep', 'ScramClient', 'chooseSaslMechanism', 'tlsServerEndPoint', 'parseRequireAuth', 'checkAuthRequest']) {
      expect(auth).toHaveProperty(name);
    }
  });
});
