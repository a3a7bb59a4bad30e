/**
 * `ricochet` executable (bundled to dist/cli.js; also runs directly: `node core/cli/main.ts …`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pkg from '../../package.json' with { type: 'json' };
import { startHttpbin, DEMO_USERS } from '../httpbin/server.ts';
import { Runner } from '../language/runner.ts';
import { runCli } from './cli.ts';

/** examples/ next to the package: two levels up from core/cli/main.ts, one up from dist/cli.js. */
function findExamples(): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = path.join(dir, 'examples');
    if (fs.existsSync(candidate) && fs.statSync(candidate).isDirectory()) return candidate;
    dir = path.dirname(dir);
  }
  return undefined;
}

const interrupt = new AbortController();
let interrupted = 0;
const onSignal = () => {
  interrupted++;
  if (interrupted > 1) process.exit(130);
  interrupt.abort(new Error('interrupted'));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const examplesDir = findExamples();
const code = await runCli(
  process.argv.slice(2),
  { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), signal: interrupt.signal },
  {
    createRunner: (options) => new Runner(options),
    startServer: (options) => startHttpbin(options),
    version: pkg.version,
    serverNotes: [
      'try: POST /login {"username":"demo","password":"secret"} → token, then GET /me with Authorization: Bearer <token>',
      `demo accounts: ${DEMO_USERS.map((u) => `${u.username}/${u.password}`).join(', ')}`,
      'endpoints: /get /post /anything /status/:code /redirect/:n /cookies /cookies/set?k=v /basic-auth/:u/:p /delay/:s /bytes/:n /gzip /json /xml …',
    ],
    ...(examplesDir ? { examplesDir } : {}),
  },
);
// Let stdout drain before exiting (piped output is asynchronous).
process.exitCode = code;
process.off('SIGINT', onSignal);
process.off('SIGTERM', onSignal);
