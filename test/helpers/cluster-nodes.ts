/**
 * Earshot nodes as child processes (`earshot serve --role …`) for the distributed-mode suites:
 * started on a free port with their own data folder, waited for until healthy, stopped or killed
 * with SIGKILL, and all of them stopped by `stopAll` even when a test failed half-way.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { startCli } from './cli.js';
import { freePort, type ClusterEnv } from './cluster.js';

export const ADMIN_PASSWORD = 'cluster-admin-password';

export interface Node {
  readonly child: ChildProcess;
  readonly port: number;
  stderr: string;
}

export interface Nodes {
  start(cluster: ClusterEnv, args: string[], extraEnv?: Record<string, string>): Promise<Node>;
  /** A folder removed by `stopAll`. */
  tempDir(prefix: string): string;
  stopAll(): Promise<void>;
}

export function nodes(): Nodes {
  const dirs: string[] = [];
  const started: Node[] = [];
  const tempDir = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  return {
    tempDir,
    async start(cluster, args, extraEnv = {}) {
      const port = await freePort();
      const child = startCli(['serve', '--port', String(port), ...args], {
        ...cluster.env,
        EARSHOT_DATA_DIR: tempDir('earshot-node-'),
        EARSHOT_ADMIN_PASSWORD: ADMIN_PASSWORD,
        ...extraEnv,
      });
      const node: Node = { child, port, stderr: '' };
      started.push(node);
      child.stderr!.on('data', (chunk: Buffer) => (node.stderr += chunk.toString('utf8')));
      child.stdout!.resume();
      await waitFor(
        async () => (await health(port)) === 200,
        // Seconds on a quiet machine; minutes on a loaded one (three nodes load their models at once).
        300_000,
        () => `node ${args.join(' ')} did not start: ${node.stderr}`,
      );
      return node;
    },
    async stopAll() {
      await Promise.all(started.map(stopNode));
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function health(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/api/health', timeout: 2000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? null);
    });
    request.on('error', () => resolve(null));
    request.on('timeout', () => request.destroy());
  });
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, message: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  assert.fail(message());
}

export function alive(node: Node): boolean {
  return node.child.exitCode === null && node.child.signalCode === null;
}

export async function stopNode(node: Node): Promise<void> {
  if (!alive(node)) return;
  const exited = new Promise((resolve) => node.child.once('exit', resolve));
  node.child.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill('SIGKILL');
}

export function killHard(node: Node): Promise<unknown> {
  const exited = new Promise((resolve) => node.child.once('exit', resolve));
  node.child.kill('SIGKILL');
  return exited;
}

/** The live node among `candidates` whose log says it took `lease`. */
export async function leaseHolder(candidates: readonly Node[], lease: string, timeoutMs = 30_000): Promise<Node> {
  const pattern = new RegExp(`took the ${lease} lease`);
  let holder: Node | undefined;
  await waitFor(
    async () => {
      holder = candidates.find((node) => alive(node) && pattern.test(node.stderr));
      return holder !== undefined;
    },
    timeoutMs,
    () => `no node took the ${lease} lease:\n${candidates.map((node) => node.stderr.slice(-800)).join('\n---\n')}`,
  );
  return holder!;
}
