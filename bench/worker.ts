/**
 * One benchmark client in its own process (so clients do not share a heap or event loop).
 *
 *   node bench/worker.ts serve  <client>         IPC: runs throughput rounds on request
 *   node bench/worker.ts stream <client> <url>   downloads once, prints {bytes, ms, peakRssMiB}
 *   node bench/worker.ts cold   <client> <url>   imports the client, makes one request, exits
 */
import { CLIENTS, STREAM_REFERENCES, type BenchClient } from './clients.ts';

export type Scenario = 'sequential' | 'concurrent' | 'big' | 'redirect' | 'cookie';

export interface RoundRequest {
  scenario: Scenario;
  url: string;
  durationMs: number;
  concurrency: number;
}

export interface RoundResult {
  ops: number;
  bytes: number;
  ms: number;
  /** Cookie round trips where the jar did not send the cookie back. */
  cookieMisses: number;
  error?: string;
}

async function runRound(client: BenchClient, round: RoundRequest): Promise<RoundResult> {
  const { scenario, url } = round;
  let ops = 0;
  let bytes = 0;
  let cookieMisses = 0;
  const op = async (): Promise<void> => {
    switch (scenario) {
      case 'sequential':
      case 'concurrent':
        await client.json(url);
        break;
      case 'big':
        bytes += await client.bytes(url);
        break;
      case 'redirect':
        await client.redirect(url);
        break;
      case 'cookie': {
        if (!client.cookie) throw new Error('this client has no cookie jar');
        const body = (await client.cookie(url)) as { cookie?: boolean };
        if (body.cookie !== true) cookieMisses += 1;
        break;
      }
    }
    ops += 1;
  };
  const started = performance.now();
  const deadline = started + round.durationMs;
  const loop = async () => {
    while (performance.now() < deadline) await op();
  };
  const workers = scenario === 'concurrent' ? round.concurrency : 1;
  await Promise.all(Array.from({ length: workers }, loop));
  return { ops, bytes, ms: performance.now() - started, cookieMisses };
}

const [mode, name = '', url = ''] = process.argv.slice(2);
const reference = mode === 'stream' ? STREAM_REFERENCES[name] : undefined;
const makeClient = (): Promise<BenchClient> => {
  const factory = CLIENTS[name];
  if (!factory) throw new Error(`unknown client "${name}"; known: ${[...Object.keys(CLIENTS), ...Object.keys(STREAM_REFERENCES)].join(', ')}`);
  return factory();
};

if (mode === 'cold') {
  const client = await makeClient();
  await client.json(url);
  await client.close();
} else if (mode === 'stream') {
  // A reference is a bare download function; a client is made (untimed) first and closed after.
  const client = reference ? undefined : await makeClient();
  const download = reference ?? ((target: string) => client!.stream(target));
  const started = performance.now();
  const bytes = await download(url);
  const ms = performance.now() - started;
  await client?.close();
  process.stdout.write(`${JSON.stringify({ bytes, ms, peakRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`);
} else if (mode === 'serve') {
  const client = await makeClient();
  process.on('message', (message: RoundRequest | 'close') => {
    if (message === 'close') {
      void client.close().finally(() => process.exit(0));
      return;
    }
    runRound(client, message).then(
      (result) => process.send?.(result),
      (error: unknown) => process.send?.({ ops: 0, bytes: 0, ms: 0, cookieMisses: 0, error: error instanceof Error ? error.message : String(error) }),
    );
  });
  process.send?.('ready');
} else {
  throw new Error(`unknown mode "${mode}"; use serve, stream or cold`);
}
