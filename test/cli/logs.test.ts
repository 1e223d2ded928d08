/**
 * What `earshot serve` writes: JSON lines on stdout when it is not a terminal (a pipe, a service
 * manager, a log collector), one per entry including each request; on a terminal pino-pretty's
 * readable lines; and a generated admin password in a box on stderr, after the start-up lines.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { stripVTControlCharacters } from 'node:util';
import { join } from 'node:path';
import { collect, startCli } from '../helpers/cli.js';
import { adminPasswordBox } from '../../src/runtime/admin-box.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'earshot-logs-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('the admin password box: framed, every line the same width, the password on its own line', () => {
  const box = adminPasswordBox('admin', 'correct-horse-battery-staple');
  const lines = box.split('\n').filter((line) => line !== '');
  assert.equal(lines[0], lines.at(-1));
  assert.match(lines[0]!, /^\+-+\+$/);
  assert.equal(new Set(lines.map((line) => line.length)).size, 1, box);
  assert.ok(
    lines.some((line) => /^\| {5}correct-horse-battery-staple +\|$/.test(line)),
    box,
  );
  assert.match(box, /Created user "admin" with password:/);
  assert.match(box, /Shown once: note it now, or set EARSHOT_ADMIN_PASSWORD to choose it\./);
});

test('serve on a pipe: JSON lines on stdout, request logs included; the generated password boxed on stderr', async () => {
  const port = await freePort();
  // No EARSHOT_ADMIN_PASSWORD: the first start generates one.
  const child = startCli(['serve', '--port', String(port)], {
    EARSHOT_DATA_DIR: join(dir, 'pipe'),
    EARSHOT_LOG_LEVEL: 'info',
    EARSHOT_ADMIN_PASSWORD: '',
  });
  const done = collect(child);
  try {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const up = await fetch(`http://127.0.0.1:${port}/api/health`).then(
        (response) => response.ok,
        () => false,
      );
      if (up) break;
      if (Date.now() > deadline || child.exitCode !== null) assert.fail(`serve did not start: ${(await done).stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await fetch(`http://127.0.0.1:${port}/api/health`);
  } finally {
    child.kill('SIGTERM');
  }
  const { stdout, stderr } = await done;
  const lines = stdout.split('\n').filter((line) => line.trim() !== '');
  assert.ok(lines.length >= 3, stdout);
  for (const line of lines) {
    const entry = JSON.parse(line) as { level: number; time: number; msg: string };
    assert.equal(typeof entry.level, 'number', line);
    assert.equal(typeof entry.msg, 'string', line);
  }
  assert.ok(
    lines.some((line) => (JSON.parse(line) as { req?: { url?: string } }).req?.url === '/api/health'),
    'a request is logged as JSON',
  );
  assert.ok(lines.some((line) => /Earshot desk on http:\/\/localhost:/.test(line)));
  const box = stderr.match(/\+-+\+\n(?:\|.*\|\n)+\+-+\+/)?.[0];
  assert.ok(box, `no password box in stderr:\n${stderr}`);
  assert.match(box, /Created user "admin" with password:\s*\|\n\| +\|\n\| {5}\S{12,} +\|/);
});

test('on a terminal, the logger options give pino-pretty’s readable lines, not JSON', async () => {
  // The options as serve uses them when stdout is a TTY, in a child process whose output is read back.
  const script = `
    import pino from 'pino';
    import { loggerOptions } from './src/server/log-options.ts';
    const log = pino(loggerOptions('info', true));
    log.info({ reqId: 'req-1' }, 'incoming request');
    log.flush?.();
    setTimeout(() => process.exit(0), 500);
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const { stdout, stderr, code } = await collect(child);
  assert.equal(code, 0, stderr);
  // Coloured for the terminal; the words without the colour codes:
  const line = stripVTControlCharacters(stdout.trim());
  assert.match(line, /^\[\d\d:\d\d:\d\d\] INFO: incoming request \{"reqId":"req-1"\}$/, line);
  assert.throws(() => JSON.parse(line));
});
