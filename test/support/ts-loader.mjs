/**
 * Lets a plain `node` child process run the TypeScript sources (for tests that must watch a whole
 * process exit): `node --import ./test/support/ts-loader.mjs script.ts`. Transpile only, no checks.
 */
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
