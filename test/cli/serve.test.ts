/**
 * `earshot serve` as a process: when it cannot listen it stops its sources and exits with status
 * 1 (it used to keep polling beside the process that had the port); a second serve on the same
 * data folder is refused by the lock file, which is removed on exit, and a lock left by a process
 * that is gone is taken over.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { collect, startCli } from '../helpers/cli.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'earshot-serve-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const env = (dataDir: string) => ({ EARSHOT_DATA_DIR: dataDir, EARSHOT_ADMIN_PASSWORD: 'serve-test-password' });

/** A port something else listens on. */
async function takenPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, server };
}

async function freePort(): Promise<number> {
  const { port, server } = await takenPort();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A pid that ran on this host and is gone. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

test('a port in use: serve stops its sources and exits 1, and frees the data folder', async () => {
  const dataDir = join(dir, 'port-taken');
  const { port, server } = await takenPort();
  try {
    const result = await collect(startCli(['serve', '--demo', '--port', String(port)], env(dataDir)));
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, new RegExp(`Cannot listen on 127\\.0\\.0\\.1:${port}: the address is in use`));
    assert.ok(!existsSync(join(dataDir, 'earshot.lock')), 'the lock is released');
  } finally {
    server.close();
  }
});

test('a second serve on the same data folder is refused while the first runs', async () => {
  const dataDir = join(dir, 'locked');
  const port = await freePort();
  const first = startCli(['serve', '--port', String(port)], env(dataDir));
  const firstDone = collect(first);
  try {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const up = await fetch(`http://127.0.0.1:${port}/api/health`).then(
        () => true,
        () => false,
      );
      if (up) break;
      if (Date.now() > deadline || first.exitCode !== null)
        assert.fail(`the first serve did not start: ${(await firstDone).stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const lock = JSON.parse(readFileSync(join(dataDir, 'earshot.lock'), 'utf8')) as { pid: number };
    assert.equal(lock.pid, first.pid);

    const second = await collect(startCli(['serve', '--port', String(await freePort())], env(dataDir)));
    assert.equal(second.code, 1, second.stderr);
    assert.match(second.stderr, /data folder .* is in use by another Earshot \(pid \d+ on /);
    assert.match(second.stderr, new RegExp(`pid ${first.pid} `));
    assert.ok(existsSync(join(dataDir, 'earshot.lock')), 'the refused process leaves the lock alone');
  } finally {
    first.kill('SIGTERM');
  }
  const result = await firstDone;
  assert.equal(result.code, 0, result.stderr);
  assert.ok(!existsSync(join(dataDir, 'earshot.lock')), 'a clean exit removes the lock');
});

test('a lock left by a process that is gone is taken over', async () => {
  const dataDir = join(dir, 'stale');
  // A first run creates the folder; then a lock as a crashed serve would have left it.
  const { port, server } = await takenPort();
  try {
    await collect(startCli(['serve', '--port', String(port)], env(dataDir)));
    writeFileSync(
      join(dataDir, 'earshot.lock'),
      JSON.stringify({ pid: await deadPid(), host: hostname(), since: new Date().toISOString() }),
    );
    // It gets past the lock (and stops at the taken port, which ends the test quickly).
    const result = await collect(startCli(['serve', '--port', String(port)], env(dataDir)));
    assert.equal(result.code, 1);
    assert.doesNotMatch(result.stderr, /in use by another Earshot/);
    assert.match(result.stderr, /Cannot listen on/);
    assert.ok(!existsSync(join(dataDir, 'earshot.lock')));
  } finally {
    server.close();
  }
});
