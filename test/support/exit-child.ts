/**
 * Child process for test/real-server/embedded-exit.test.ts: starts a cluster (from the template passed as JSON
 * in argv[3], if any), prints its facts as one JSON line, then ends the way argv[2] names:
 * `exit` (process.exit), `signal` (waits to be killed), `natural` (the event loop empties),
 * `throw` (an uncaught exception).
 */
import { findServer } from './embedded/binaries.js';
import { startCluster } from './embedded/cluster.js';
import { adoptTemplate } from './embedded/template.js';
import type { Template } from './embedded/template.js';

const how = process.argv[2] ?? 'exit';
const template = process.argv[3] ? (JSON.parse(process.argv[3]) as Template) : null;
if (template !== null) adoptTemplate(await findServer(template.major), template);
const cluster = await startCluster({ version: template?.major ?? 18 });
process.stdout.write(JSON.stringify({ pid: cluster.pid, dataDir: cluster.dataDir }) + '\n');
if (how === 'exit') {
  setTimeout(() => process.exit(0), 10);
} else if (how === 'signal') {
  setInterval(() => undefined, 1000);
} else if (how === 'throw') {
  setTimeout(() => {
    throw new Error('deliberate uncaught exception');
  }, 10);
}
