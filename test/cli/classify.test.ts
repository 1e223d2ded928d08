/** `earshot classify`: one JSON line out per text line in, streamed, with no server or store. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createInterface } from 'node:readline';
import { startCli, runCli } from '../helpers/cli.js';

test('classify answers each line as it arrives, before stdin closes', { timeout: 60_000 }, async () => {
  const child = startCli(['classify'], {});
  const lines = createInterface({ input: child.stdout! });
  const iterator = lines[Symbol.asyncIterator]();
  child.stdin!.write('The VPN is down again, I cannot work :(\n');
  const first = JSON.parse((await iterator.next()).value as string);
  assert.deepEqual(Object.keys(first).sort(), ['flags', 'kind', 'lang', 'score', 'sentiment']);
  assert.equal(first.sentiment, 'negative');
  assert.equal(first.kind, 'outage');
  assert.equal(first.lang, 'en');
  assert.ok(first.score >= -1 && first.score < 0);
  assert.deepEqual(first.flags, []);
  child.stdin!.write('Merci beaucoup pour votre aide, le problème est résolu !\n');
  const second = JSON.parse((await iterator.next()).value as string);
  assert.equal(second.lang, 'fr');
  lines.close();
  child.stdin!.end();
  child.kill('SIGKILL');
  child.stdout!.destroy();
  child.stderr!.destroy();
});

test('classify skips blank lines and handles hostile text', { timeout: 60_000 }, async () => {
  const result = await runCli(['classify'], {}, `\n  \n<img src=x onerror=alert(1)>\n\t\n${'a'.repeat(20_000)}\n\n`);
  assert.equal(result.code, 0, result.stderr);
  const out = result.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  // Two posts in, two analyses out: the four blank or whitespace-only lines are skipped.
  assert.equal(out.length, 2);
  for (const row of out) {
    assert.ok(['negative', 'neutral', 'positive'].includes(row.sentiment));
    assert.ok(Array.isArray(row.flags));
  }
});
