/**
 * Abuse benchmark (issue 13): does the desk still answer while strangers and a big import lean
 * on it? A real `earshot serve` runs in a child process on loopback (nothing leaves the machine)
 * while this process measures `GET /api/health` every 20 ms and the server's resident memory
 * (from /proc) every 100 ms, through five phases:
 *   baseline · (a) 8 unauthenticated 60 MB bodies, sent again as each is refused · (b) 300 slow
 *   bodies, one byte a second · (c) 200 SSE clients (25 people × 8), 100 of which never read,
 *   while 10,000 posts (as in the issue) are ingested so events flow · (d) one 50,000-post NDJSON import.
 * The import is the real crisis timelines of `../shared/data/crisis-timelines` (39,449 posts),
 * then as many of them again under new ids to reach 50,000. Bounded: each phase is at most
 * PHASE_MS (20 s) or the import's length, everything is closed at the end.
 * Run: `npx tsx bench/abuse.ts` (about 2–3 minutes). Targets: health p99 < 200 ms, RSS < 1 GB.
 * `ABUSE_PHASES=c,d` runs only those phases (the baseline always runs).
 */
import { spawn } from 'node:child_process';
import { once, setMaxListeners } from 'node:events';
import { Worker } from 'node:worker_threads';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const TIMELINES = join(HERE, '..', '..', 'shared', 'data', 'crisis-timelines');
const BIN = join(HERE, '..', 'bin', 'earshot.js');
const PASSWORD = 'abuse-bench-admin-password';
const PHASE_MS = Number(process.env.ABUSE_PHASE_MS ?? 20_000);
const HOST = '127.0.0.1';
const SLOW_TIMEOUT_MS = 30_000;
const PHASES = new Set((process.env.ABUSE_PHASES ?? 'a,b,c,d').split(',').map((name) => name.trim()));

interface PhaseResult {
  readonly phase: string;
  readonly samples: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly failed: number;
  readonly rssMaxMb: number;
  readonly note: string;
}

export async function run(): Promise<PhaseResult[]> {
  if (!existsSync(TIMELINES)) {
    console.log(`abuse: skipped, ${TIMELINES} is absent`);
    return [];
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'earshot-abuse-'));
  const port = await freePort();
  // `ABUSE_CPU_PROF=<dir>`: the server writes a CPU profile there when it stops.
  const profile = process.env.ABUSE_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.ABUSE_CPU_PROF}`] : [];
  const server = spawn(process.execPath, [...profile, BIN, 'serve'], {
    env: {
      ...process.env,
      EARSHOT_DATA_DIR: dataDir,
      EARSHOT_PORT: String(port),
      EARSHOT_HOST: HOST,
      EARSHOT_ADMIN_PASSWORD: PASSWORD,
      EARSHOT_LOG_LEVEL: 'warn',
      // Long enough for the 50 MB import to arrive on a busy machine; the slow bodies outlast it.
      EARSHOT_REQUEST_TIMEOUT_MS: String(SLOW_TIMEOUT_MS),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let serverLog = '';
  server.stderr!.on('data', (chunk: Buffer) => (serverLog = (serverLog + chunk.toString()).slice(-4000)));
  const base = `http://${HOST}:${port}`;
  const results: PhaseResult[] = [];
  try {
    await waitFor(async () => (await fetch(`${base}/api/health`)).ok, 120_000);
    const admin = await login(base);
    const agents = await makeAgents(base, admin, 25);
    const ingestToken = agents[0]!;

    const phase = async (name: string, attack: (signal: AbortSignal) => Promise<string>) => {
      const controller = new AbortController();
      const rss: number[] = [];
      const memory = setInterval(() => rss.push(residentMb(server.pid!)), 100);
      const probing = probeHealth(base, controller.signal);
      let note = '';
      try {
        note = await attack(controller.signal);
      } finally {
        controller.abort();
        clearInterval(memory);
      }
      const latencies = await probing;
      const sorted = latencies.ok.sort((a, b) => a - b);
      const result: PhaseResult = {
        phase: name,
        samples: sorted.length,
        p50: percentile(sorted, 0.5),
        p99: percentile(sorted, 0.99),
        max: sorted.at(-1) ?? Number.NaN,
        failed: latencies.failed,
        rssMaxMb: Math.max(...rss, residentMb(server.pid!)),
        note,
      };
      results.push(result);
      console.log(
        `${name.padEnd(34)} health p50 ${fmt(result.p50)} p99 ${fmt(result.p99)} max ${fmt(result.max)} ` +
          `(${result.samples} ok, ${result.failed} failed)  server RSS max ${result.rssMaxMb.toFixed(0)} MB  ${note}`,
      );
    };

    await phase('baseline', () => sleep(PHASE_MS / 2).then(() => ''));
    if (PHASES.has('a')) await phase('(a) 8 × 60 MB unauthenticated', (signal) => bigBodies(port, 8, signal));
    if (PHASES.has('b')) await phase('(b) 300 slow bodies', (signal) => slowBodies(port, 300, signal));
    if (PHASES.has('c'))
      await phase('(c) 200 SSE, 100 not reading', (signal) => liveClients(base, port, agents, ingestToken, signal));
    if (PHASES.has('d')) await phase('(d) 50,000-post import', () => bigImport(base, ingestToken));
    return results;
  } catch (error) {
    console.error(`abuse: failed: ${(error as Error).message}\n${serverLog}`);
    throw error;
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** GET /api/health every 20 ms until aborted; each answer's time, and how many failed or took over 5 s. */
async function probeHealth(base: string, signal: AbortSignal): Promise<{ ok: number[]; failed: number }> {
  const ok: number[] = [];
  let failed = 0;
  while (!signal.aborted) {
    const started = performance.now();
    try {
      const response = await fetch(`${base}/api/health`, { signal: AbortSignal.timeout(5_000) });
      await response.arrayBuffer();
      if (response.ok) ok.push(performance.now() - started);
      else failed += 1;
    } catch {
      failed += 1;
    }
    await sleep(20);
  }
  return { ok, failed };
}

/** (a) Sockets that announce 60 MB and send as fast as they can; each is replaced when the server closes it. */
async function bigBodies(port: number, count: number, phase: AbortSignal): Promise<string> {
  // The phase's own deadline: the sockets are re-sent until it passes.
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), PHASE_MS);
  phase.addEventListener('abort', () => deadline.abort(), { once: true });
  const signal = deadline.signal;
  setMaxListeners(count * 4, signal);
  const chunk = Buffer.alloc(256 * 1024, 0x20);
  let refused = 0;
  let sentMb = 0;
  const one = async () => {
    while (!signal.aborted) {
      await new Promise<void>((resolve) => {
        const socket = net.connect(port, HOST);
        let answer = '';
        socket.on('data', (data: Buffer) => (answer += data.toString('latin1')));
        const pump = () => {
          while (!socket.destroyed && !signal.aborted) {
            sentMb += chunk.length / 1048576;
            if (!socket.write(chunk)) return void socket.once('drain', pump);
          }
        };
        socket.once('connect', () => {
          socket.write(
            `POST /api/ingest HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nContent-Length: ${60 * 1048576}\r\n\r\n`,
          );
          pump();
        });
        let finished = false;
        const done = () => {
          if (finished) return;
          finished = true;
          if (answer.startsWith('HTTP/1.1 401')) refused += 1;
          socket.destroy();
          resolve();
        };
        socket.once('close', done);
        socket.once('error', done);
        const onAbort = () => done();
        signal.addEventListener('abort', onAbort, { once: true });
        socket.once('close', () => signal.removeEventListener('abort', onAbort));
      });
    }
  };
  await Promise.all(Array.from({ length: count }, one)).catch(() => {});
  clearTimeout(timer);
  return `${refused} answered 401, ${sentMb.toFixed(0)} MB pushed at the server`;
}

/** (b) Sockets that announce a 1 MB body and send one byte a second. */
async function slowBodies(port: number, count: number, signal: AbortSignal): Promise<string> {
  const sockets: net.Socket[] = [];
  let closedByServer = 0;
  for (let i = 0; i < count; i++) {
    const socket = net.connect(port, HOST);
    socket.on('error', () => {});
    socket.once('close', () => {
      if (!signal.aborted) closedByServer += 1;
    });
    socket.once('connect', () =>
      socket.write(
        'POST /api/streams HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1048576\r\n\r\n{',
      ),
    );
    sockets.push(socket);
  }
  const drip = setInterval(() => {
    for (const socket of sockets) if (!socket.destroyed) socket.write(' ');
  }, 1000);
  // Past the server's request timeout, so it has had to cut them off.
  await sleep(Math.max(PHASE_MS, SLOW_TIMEOUT_MS + 5_000));
  clearInterval(drip);
  const open = sockets.filter((socket) => !socket.destroyed).length;
  for (const socket of sockets) socket.destroy();
  return `${closedByServer} cut off by the server, ${open} still open after ${Math.max(PHASE_MS, SLOW_TIMEOUT_MS + 5_000) / 1000} s`;
}

/** (c) 200 live streams, 8 per person; 100 read, 100 never do; 10,000 posts ingested meanwhile. */
async function liveClients(
  base: string,
  port: number,
  tokens: readonly string[],
  ingestToken: string,
  signal: AbortSignal,
): Promise<string> {
  const stalled: net.Socket[] = [];
  // The readers run on their own thread: reading 100 streams on this thread would delay the
  // health probe's own answers and charge that to the server.
  const readerTokens = Array.from({ length: 100 }, (_, i) => tokens[Math.floor((2 * i) / 8)]!);
  const readers = new Worker(READERS_SOURCE, { eval: true, workerData: { host: HOST, port, tokens: readerTokens } });
  for (let i = 0; i < 200; i++) {
    const token = tokens[Math.floor(i / 8)]!;
    if (i % 2 === 1) {
      const socket = net.connect(port, HOST);
      socket.on('error', () => {});
      socket.once('connect', () => {
        socket.write(`GET /api/live HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n\r\n`);
        // Never read: the kernel buffers fill, then the server must stop writing to it.
        socket.pause();
      });
      stalled.push(socket);
    }
  }
  await sleep(1000);
  const started = performance.now();
  let stored = 0;
  for (let batch = 0; batch < 20 && !signal.aborted; batch++) {
    const lines = Array.from({ length: 500 }, (_, i) =>
      JSON.stringify({
        source: 'abuse-live',
        id: `live-${batch}-${i}`,
        author: { handle: `@live${i % 50}`, name: 'Live' },
        text: `${realTexts()[(batch * 500 + i) % realTexts().length]}`,
        // Live traffic: 10 posts a second, the last one now.
        createdAt: new Date(Date.now() - (10_000 - (batch * 500 + i)) * 100).toISOString(),
      }),
    ).join('\n');
    const response = await fetch(`${base}/api/ingest`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ingestToken}`, 'content-type': 'application/x-ndjson' },
      body: lines,
    });
    stored += ((await response.json()) as { new?: number }).new ?? 0;
  }
  const ingestS = (performance.now() - started) / 1000;
  await sleep(Math.max(0, PHASE_MS - (performance.now() - started) - 1000));
  // A non-reader never sees its socket closed (it reads nothing, the FIN included), so ask the
  // server: each person holds 4 readers and 4 non-readers of the 8 allowed; every non-reader
  // the server closed is a slot a new stream gets.
  const freed = await freedSlots(base, tokens.slice(0, 25), 4);
  readers.postMessage('stop');
  const [read] = (await once(readers, 'message')) as [{ bytes: number; cut: number; refused: number }];
  await readers.terminate();
  for (const socket of stalled) socket.destroy();
  return `${stored} posts ingested in ${ingestS.toFixed(1)} s; readers got ${(read.bytes / 1048576).toFixed(1)} MB (${read.cut} of 100 cut off, ${read.refused} refused); the server had closed ${freed} of 100 non-readers`;
}

/** 100 reading live streams, on a worker thread; 'stop' answers with what they read. */
const READERS_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
let bytes = 0, cut = 0, refused = 0, stopping = false;
const requests = workerData.tokens.map((token) => {
  const request = http.get({ host: workerData.host, port: workerData.port, path: '/api/live',
    headers: { authorization: 'Bearer ' + token } }, (response) => {
    if (response.statusCode !== 200) refused += 1;
    response.on('data', (chunk) => { bytes += chunk.length; });
    response.on('close', () => { if (!stopping) cut += 1; });
  });
  request.on('error', () => { if (!stopping) cut += 1; });
  return request;
});
parentPort.on('message', () => {
  stopping = true;
  for (const request of requests) request.destroy();
  parentPort.postMessage({ bytes, cut, refused });
});
`;

/** Opens up to `perPerson` more live streams for each person; how many were accepted (then closed). */
async function freedSlots(base: string, tokens: readonly string[], perPerson: number): Promise<number> {
  let accepted = 0;
  const open: AbortController[] = [];
  for (const token of tokens)
    for (let i = 0; i < perPerson; i++) {
      const controller = new AbortController();
      open.push(controller);
      const response = await fetch(`${base}/api/live`, {
        headers: { authorization: `Bearer ${token}` },
        signal: controller.signal,
      }).catch(() => null);
      if (response?.status === 200) accepted += 1;
      else await response?.arrayBuffer();
    }
  for (const controller of open) controller.abort();
  return accepted;
}

/**
 * (d) One NDJSON upload of 50,000 posts, over node:http: fetch gives up on an answer after
 * 300 s, and on a loaded machine the import may take longer (the server keeps the connection).
 */
async function bigImport(base: string, token: string): Promise<string> {
  const real = realLines();
  const lines: string[] = [...real];
  for (let i = 0; lines.length < 50_000; i++) {
    const post = JSON.parse(real[i % real.length]!) as { id: string };
    lines.push(JSON.stringify({ ...post, id: `${post.id}-again` }));
  }
  const body = Buffer.from(lines.join('\n'));
  const started = performance.now();
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const request = http.request(`${base}/api/ingest`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/x-ndjson',
        'content-length': body.length,
      },
    });
    request.once('error', reject);
    request.once('response', (response) => {
      let answer = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (answer += chunk));
      response.once('end', () => resolve({ status: response.statusCode ?? 0, text: answer }));
      response.once('error', reject);
    });
    request.end(body);
  });
  const result = JSON.parse(text) as { new?: number; error?: { message: string } };
  const seconds = (performance.now() - started) / 1000;
  if (status !== 200) return `import answered ${status}: ${result.error?.message}`;
  return `${result.new} new of ${lines.length} (${real.length} real), ${(body.length / 1048576).toFixed(0)} MB, answered in ${seconds.toFixed(1)} s`;
}

let cachedLines: string[] | null = null;
function realLines(): string[] {
  cachedLines ??= readdirSync(TIMELINES)
    .filter((name) => name.endsWith('.ndjson'))
    .sort()
    .flatMap((name) => readFileSync(join(TIMELINES, name), 'utf8').split('\n'))
    .filter((line) => line.trim() !== '');
  return cachedLines;
}
let cachedTexts: string[] | null = null;
function realTexts(): string[] {
  cachedTexts ??= realLines()
    .slice(0, 5000)
    .map((line) => (JSON.parse(line) as { text: string }).text);
  return cachedTexts;
}

async function login(base: string): Promise<string> {
  const response = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: PASSWORD }),
  });
  const cookie = response.headers.getSetCookie().find((value) => value.startsWith('earshot_session='));
  if (!cookie) throw new Error(`login failed: ${response.status}`);
  return cookie.split(';')[0]!;
}

/** `count` agents, each with an API token (the live route allows 8 streams a person). */
async function makeAgents(base: string, cookie: string, count: number): Promise<string[]> {
  const tokens: string[] = [];
  const headers = { cookie, 'content-type': 'application/json', origin: base };
  for (let i = 0; i < count; i++) {
    const user = await fetch(`${base}/api/users`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ username: `agent${i}`, role: 'agent', password: `agent-password-${i}` }),
    });
    const { id } = (await user.json()) as { id: number };
    const token = await fetch(`${base}/api/tokens`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'abuse', userId: id, expiresInDays: 1 }),
    });
    tokens.push(((await token.json()) as { token: string }).token);
  }
  return tokens;
}

function residentMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

const fmt = (ms: number) => `${ms.toFixed(0).padStart(5)} ms`;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {}
    if (Date.now() > until) throw new Error('the server did not start');
    await sleep(250);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
