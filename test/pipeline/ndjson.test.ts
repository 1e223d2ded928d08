import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collectNdjson, readNdjson, type NdjsonLine } from '../../src/pipeline/ndjson.js';

async function* chunks(...parts: (Buffer | string)[]): AsyncGenerator<Buffer | string> {
  yield* parts;
}

async function collect(
  input: AsyncIterable<Buffer | string>,
  options?: { maxLineBytes?: number },
): Promise<NdjsonLine[]> {
  const lines: NdjsonLine[] = [];
  for await (const line of readNdjson(input, options)) lines.push(line);
  return lines;
}

/** Runs the same text through the streaming reader (split into `chunkSize`-byte chunks) and the batch reader (one chunk). */
async function both(text: string, chunkSize = 3, options?: { maxLineBytes?: number }): Promise<NdjsonLine[]> {
  const bytes = Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) parts.push(bytes.subarray(i, i + chunkSize));
  const streamed = await collect(chunks(...parts), options);
  const whole = await collectNdjson(chunks(text), { ...options, maxBytes: Number.MAX_SAFE_INTEGER, maxLines: 1e9 });
  assert.deepEqual(whole, streamed, 'collectNdjson over one chunk and readNdjson over small chunks agree');
  return streamed;
}

test('one value per line, with 1-based line numbers', async () => {
  assert.deepEqual(await both('{"a":1}\n[2]\n"three"\n'), [
    { line: 1, ok: true, value: { a: 1 } },
    { line: 2, ok: true, value: [2] },
    { line: 3, ok: true, value: 'three' },
  ]);
});

test('blank lines are skipped but counted; a last line needs no newline', async () => {
  assert.deepEqual(await both('\n{"a":1}\n\n   \n{"b":2}'), [
    { line: 2, ok: true, value: { a: 1 } },
    { line: 5, ok: true, value: { b: 2 } },
  ]);
  assert.deepEqual(await both(''), []);
  assert.deepEqual(await both('\n\n'), []);
});

test('CRLF line endings and a BOM on the first line are accepted', async () => {
  assert.deepEqual(await both('\ufeff{"a":1}\r\n{"b":2}\r\n\r\n'), [
    { line: 1, ok: true, value: { a: 1 } },
    { line: 2, ok: true, value: { b: 2 } },
  ]);
});

test('a BOM after the first line is an error, not silently dropped', async () => {
  const [, second] = await both('{"a":1}\n\ufeff{"b":2}\n');
  assert.equal(second?.ok, false);
});

test('UTF-8 characters split across chunks decode correctly', async () => {
  const text = '{"t":"héllo wörld 日本語 😀"}\n{"t":"ça"}\n';
  for (const size of [1, 2, 3, 5, 7]) {
    assert.deepEqual(await both(text, size), [
      { line: 1, ok: true, value: { t: 'héllo wörld 日本語 😀' } },
      { line: 2, ok: true, value: { t: 'ça' } },
    ]);
  }
});

test('string chunks are read too', async () => {
  assert.deepEqual(await collect(chunks('{"a"', ':1}\n{"b":', '2}')), [
    { line: 1, ok: true, value: { a: 1 } },
    { line: 2, ok: true, value: { b: 2 } },
  ]);
});

test("malformed JSON is reported on its line with the parser's message, and reading goes on", async () => {
  const lines = await both('{"a":1}\n{"a":\n\n{oops}\n[1]\n');
  assert.equal(lines.length, 4);
  assert.deepEqual(lines[0], { line: 1, ok: true, value: { a: 1 } });
  assert.equal(lines[1]?.line, 2);
  assert.equal(lines[1]?.ok, false);
  assert.equal(lines[2]?.line, 4);
  assert.equal(lines[2]?.ok, false);
  let expected = '';
  try {
    JSON.parse('{oops}');
  } catch (error) {
    expected = (error as Error).message;
  }
  assert.deepEqual(lines[2], { line: 4, ok: false, error: expected });
  assert.deepEqual(lines[3], { line: 5, ok: true, value: [1] });
});

test('invalid UTF-8 is reported on its line', async () => {
  const input = Buffer.concat([Buffer.from('{"a":1}\n"'), Buffer.from([0xff, 0xfe]), Buffer.from('"\n[2]\n')]);
  assert.deepEqual(await collect(chunks(input)), [
    { line: 1, ok: true, value: { a: 1 } },
    { line: 2, ok: false, error: 'line is not valid UTF-8' },
    { line: 3, ok: true, value: [2] },
  ]);
});

test('a 10 MB line among good lines is an error on its line; the good lines still come through', async () => {
  const big = `{"text":"${'x'.repeat(10 * 1024 * 1024 - 11)}"}`;
  assert.equal(Buffer.byteLength(big), 10 * 1024 * 1024);
  const text = `{"n":1}\n${big}\n{"n":3}\n`;
  const expected = [
    { line: 1, ok: true, value: { n: 1 } },
    { line: 2, ok: false, error: 'line is 10485760 bytes, the limit is 1048576' },
    { line: 3, ok: true, value: { n: 3 } },
  ];
  assert.deepEqual(await both(text, 64 * 1024), expected);
  assert.deepEqual(await collect(chunks(text)), expected, 'one chunk holding everything');
});

test('the limit is on bytes of the line without its ending', async () => {
  const exactly = `"${'é'.repeat(4)}"`; // 10 bytes
  assert.deepEqual(await both(`${exactly}\r\n${exactly}x\n`, 4, { maxLineBytes: 10 }), [
    { line: 1, ok: true, value: 'éééé' },
    { line: 2, ok: false, error: 'line is 11 bytes, the limit is 10' },
  ]);
});

test('an over-long line is skipped, not held in memory', async () => {
  // 256 MiB in fresh 1 MiB chunks, one line: kept, they would all stay reachable.
  const chunk = 1024 * 1024;
  let peak = 0;
  async function* huge(): AsyncGenerator<Buffer> {
    yield Buffer.from('[1]\n[');
    for (let i = 0; i < 256; i++) {
      yield Buffer.alloc(chunk, 0x31);
      peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    }
    yield Buffer.from(']\n[3]');
  }
  const before = process.memoryUsage().arrayBuffers;
  const lines = await collect(huge());
  assert.deepEqual(lines, [
    { line: 1, ok: true, value: [1] },
    { line: 2, ok: false, error: `line is ${256 * chunk + 2} bytes, the limit is 1048576` },
    { line: 3, ok: true, value: [3] },
  ]);
  assert.ok(peak - before < 128 * chunk, `peak array-buffer growth ${Math.round((peak - before) / chunk)} MiB`);
});

test('a batch past its byte limit stops with ERR_INPUT_TOO_LARGE, past its line limit with a clear error', async () => {
  const text = '{"a":1}\n'.repeat(100);
  await assert.rejects(
    collectNdjson(chunks(text.slice(0, 400), text.slice(400)), { maxBytes: 500, maxLines: 1000 }),
    (error: Error & { code?: string }) => error.code === 'ERR_INPUT_TOO_LARGE',
  );
  await assert.rejects(collectNdjson(chunks(text), { maxBytes: 10_000, maxLines: 99 }), /at most 99 posts/);
  assert.equal((await collectNdjson(chunks(text), { maxBytes: text.length, maxLines: 100 })).length, 100);
});

test('a large batch lets timers run while it is read (the API answers during an import)', async () => {
  const line = `${JSON.stringify({ id: 'x', text: 'a post of ordinary length about the VPN portal being down again'.repeat(3) })}\n`;
  const body = Buffer.from(line.repeat(60_000));
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  try {
    const lines = await collectNdjson(chunks(body), { maxBytes: body.length, maxLines: 60_000 });
    assert.equal(lines.length, 60_000);
  } finally {
    clearInterval(timer);
  }
  assert.ok(ticks >= 3, `a 1-ms timer ran ${ticks} times during the read`);
});
