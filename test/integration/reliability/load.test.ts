// Load: many requests on one Session mixing keep-alive, redirects, cookies, bodies and
// compression, against httpbin in its own process — nothing lost, memory flat, no socket leak,
// no unhandled rejections; and 1,000 concurrent requests on one Session all complete.
//
// Default: a scaled-down soak (5,000 requests). RICOCHET_SOAK=100000 runs the full figure and
// prints the numbers for the README's Reliability section.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Session } from '../../../core/index.ts';
import { startHttpbinProcess, type HttpbinProcess } from '../../servers/process.ts';

const SOAK = Number(process.env.RICOCHET_SOAK ?? 5_000);
const PARALLEL = 8;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

let bin: HttpbinProcess;
before(async () => {
  process.on('unhandledRejection', onUnhandled);
  bin = await startHttpbinProcess();
});
after(async () => {
  process.off('unhandledRejection', onUnhandled);
  await bin.close();
});

/** Open file descriptors of this process, and how many of them are sockets, from /proc/self/fd. */
function openFds(): { total: number; sockets: number } {
  let total = 0;
  let sockets = 0;
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      if (fs.readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:')) sockets += 1;
      total += 1;
    } catch {
      // the fd of the directory listing itself is gone by now
    }
  }
  return { total, sockets };
}

const openSockets = () => openFds().sockets;

/**
 * RSS after two full GCs, without V8's young-generation reservation. V8 doubles its new space
 * (64 → 128 MiB here) once, somewhere after 30,000-50,000 requests, as a reaction to allocation
 * rate; that one step is heap sizing, not retained memory (old space stays at ~12 MiB), so the
 * flatness check leaves it out. `raw` keeps the plain RSS for the report.
 */
function settledRss(): { raw: number; net: number } {
  gc();
  gc();
  const raw = process.memoryUsage().rss;
  const young = v8
    .getHeapSpaceStatistics()
    .filter((space) => space.space_name === 'new_space' || space.space_name === 'new_large_object_space')
    .reduce((sum, space) => sum + space.space_size, 0);
  return { raw, net: raw - young };
}

const MiB = 1024 * 1024;

/** One request of the mix; checks that what came back is exactly what this request asked for. */
async function mixed(session: Session, i: number): Promise<void> {
  switch (i % 6) {
    case 0: {
      const r = await session.get(`${bin.url}/get`, { params: { i } });
      assert.equal((r.json() as { args: { i: string } }).args.i, String(i));
      break;
    }
    case 1: {
      const r = await session.get(`${bin.url}/redirect/2`);
      assert.equal(r.history.length, 2);
      assert.equal(r.url, `${bin.url}/get`);
      break;
    }
    case 2: {
      // Set-Cookie on a 302, then the jar sends it to /cookies: the value must be this request's.
      const name = `k${i % 20}`;
      const r = await session.get(`${bin.url}/cookies/set`, { params: { [name]: `v${i}` } });
      assert.equal((r.json() as { cookies: Record<string, string> }).cookies[name], `v${i}`);
      break;
    }
    case 3: {
      const r = await session.post(`${bin.url}/post`, { json: { i, pad: 'x'.repeat(i % 500) } });
      assert.deepEqual((r.json() as { json: unknown }).json, { i, pad: 'x'.repeat(i % 500) });
      break;
    }
    case 4: {
      const r = await session.get(`${bin.url}/gzip`);
      assert.equal((r.json() as { gzipped: boolean }).gzipped, true);
      break;
    }
    default: {
      const r = await session.get(`${bin.url}/status/404`);
      assert.equal(r.statusCode, 404);
    }
  }
}

test(`soak: ${SOAK} mixed requests on one Session — RSS flat within 10 % after warm-up, no socket growth, nothing lost`, { timeout: Math.max(120_000, SOAK * 20) }, async () => {
  const socketsBefore = openSockets();
  const session = new Session();
  try {
    let next = 0;
    const run = async (until: number) => {
      const worker = async () => {
        while (next < until) await mixed(session, next++);
      };
      await Promise.all(Array.from({ length: PARALLEL }, worker));
    };
    // RSS settles in steps (V8 growing its young generation, malloc arenas for zlib's thread-pool
    // work) during the first tens of thousands of requests, then stays flat: measure after that.
    const warmUp = Math.max(2_000, Math.floor(SOAK * 0.3));
    await run(warmUp);
    const rssWarm = settledRss();
    const fdsWarm = openFds();
    const socketsWarm = fdsWarm.sockets;
    const heapWarm = process.memoryUsage().heapUsed;

    const samples: Array<{ raw: number; net: number }> = [];
    const started = performance.now();
    const step = Math.ceil((SOAK - warmUp) / 10);
    for (let until = warmUp + step; next < SOAK; until = Math.min(SOAK, until + step)) {
      await run(until);
      samples.push(settledRss());
    }
    const seconds = (performance.now() - started) / 1000;
    const rssEnd = samples.at(-1) ?? rssWarm;
    const rssMax = Math.max(...samples.map((x) => x.net));
    const rawMax = Math.max(...samples.map((x) => x.raw));
    const fdsEnd = openFds();
    const socketsEnd = fdsEnd.sockets;
    const heapEnd = process.memoryUsage().heapUsed;
    const report = {
      requests: SOAK,
      warmUp,
      reqPerSecondAfterWarmUp: Math.round((SOAK - warmUp) / seconds),
      rssWarmMiB: +(rssWarm.net / MiB).toFixed(1),
      rssEndMiB: +(rssEnd.net / MiB).toFixed(1),
      rssMaxMiB: +(rssMax / MiB).toFixed(1),
      rssGrowthPercent: +(((rssMax - rssWarm.net) / rssWarm.net) * 100).toFixed(1),
      rawRssWarmMiB: +(rssWarm.raw / MiB).toFixed(1),
      rawRssMaxMiB: +(rawMax / MiB).toFixed(1),
      heapWarmMiB: +(heapWarm / MiB).toFixed(1),
      heapTotalEndMiB: +(process.memoryUsage().heapTotal / MiB).toFixed(1),
      heapEndMiB: +(heapEnd / MiB).toFixed(1),
      rssSamplesMiB: samples.map((x) => Math.round(x.net / MiB)),
      rawRssSamplesMiB: samples.map((x) => Math.round(x.raw / MiB)),
      fdsWarm: fdsWarm.total,
      fdsEnd: fdsEnd.total,
      socketsWarm,
      socketsEnd,
      cookiesInJar: [...session.cookies.keys()].length,
    };
    console.log(`[load] ${JSON.stringify(report)}`);

    assert.equal(next, SOAK);
    assert.ok(rssMax <= rssWarm.net * 1.1, `RSS (without the young generation) grew from ${report.rssWarmMiB} MiB to ${report.rssMaxMiB} MiB (> 10 %)`);
    assert.ok(socketsEnd <= Math.max(socketsWarm, PARALLEL), `open sockets grew from ${socketsWarm} to ${socketsEnd}`);
    assert.ok(fdsEnd.total <= fdsWarm.total + (socketsEnd - socketsWarm), `open file descriptors grew from ${fdsWarm.total} to ${fdsEnd.total}`);
    assert.ok(report.cookiesInJar <= 20, `the jar holds ${report.cookiesInJar} cookies; 20 names were used`);
    assert.deepEqual(unhandled, []);
  } finally {
    await session.close();
  }
  // Closing the Session releases its connections.
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(openSockets() <= socketsBefore, `${openSockets() - socketsBefore} sockets still open after close()`);
});

test('1,000 concurrent requests on one Session all complete, each with its own answer', { timeout: 120_000 }, async () => {
  const session = new Session();
  try {
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: 1_000 }, async (_, i) => {
        const r = await session.get(`${bin.url}/delay/0.05`, { params: { i }, timeout: 60_000 });
        return (r.json() as { args: { i: string } }).args.i;
      }),
    );
    console.log(`[load] 1000 concurrent requests in ${Math.round(performance.now() - started)} ms; sockets open now: ${openSockets()}`);
    assert.deepEqual(results, Array.from({ length: 1_000 }, (_, i) => String(i)));
    assert.deepEqual(unhandled, []);
  } finally {
    await session.close();
  }
});
