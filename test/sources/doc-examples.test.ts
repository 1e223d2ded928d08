/**
 * Every source example in README.md and docs/*.md is a configuration that works: each YAML block
 * with a `sources:` list is read and stored through the config-file path `earshot serve` takes
 * (readConfigFile → applyConfigFile with the real definitions), each source is built by its
 * definition, and one example per kind goes through `POST /api/sources` as an admin would send
 * it. A doc example can no longer be refused (as `instance:` and `hashtags: [NorthwindIT]` were).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { applyConfigFile, readConfigFile, type FileSource } from '../../src/sources/config-file.js';
import { SOURCE_DEFINITIONS } from '../../src/sources/index.js';
import { findDefinition, validateSourceOptions } from '../../src/sources/supervisor.js';
import { getSourceByName } from '../../src/store/sources.js';
import { startTestDesk, type TestDesk } from '../helpers/app.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOCS = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

interface Example {
  readonly where: string;
  readonly text: string;
}

/** The ```yaml blocks of a Markdown file that configure sources. */
function examplesIn(file: string): Example[] {
  const markdown = readFileSync(join(ROOT, file), 'utf8');
  const examples: Example[] = [];
  for (const match of markdown.matchAll(/^```ya?ml\s*\n([\s\S]*?)^```/gm)) {
    if (!/^sources:/m.test(match[1]!)) continue;
    const line = markdown.slice(0, match.index).split('\n').length;
    examples.push({ where: `${file}:${line}`, text: match[1]! });
  }
  return examples;
}

const examples = DOCS.flatMap(examplesIn);
/** Every `${VAR}` the examples refer to, set as an admin would set it. */
const env = Object.fromEntries(
  [...new Set(examples.flatMap((e) => [...e.text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]!)))].map(
    (name) => [name, `value-of-${name.toLowerCase()}`],
  ),
);

describe('source examples in the docs', () => {
  let desk: TestDesk;
  let dir: string;
  before(async () => {
    desk = await startTestDesk();
    dir = mkdtempSync(join(tmpdir(), 'earshot-doc-examples-'));
  });
  after(async () => {
    await desk?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the docs hold an example for every channel an admin configures', () => {
    const kinds = new Set(
      examples.flatMap((e) => ((parse(e.text) as { sources: { kind: string }[] }).sources ?? []).map((s) => s.kind)),
    );
    for (const kind of ['mastodon', 'rss', 'bluesky', 'mail'])
      assert.ok(kinds.has(kind), `no documented ${kind} example`);
  });

  const read: { example: Example; sources: FileSource[] }[] = [];
  for (const [index, example] of examples.entries()) {
    test(`${example.where} is accepted by earshot.config.yaml and builds its sources`, async () => {
      const file = join(dir, `example-${index}.yaml`);
      writeFileSync(file, example.text);
      let sources: FileSource[];
      try {
        sources = readConfigFile(file, env, SOURCE_DEFINITIONS);
      } catch (error) {
        assert.fail(`${example.where} is refused: ${(error as Error).message}`);
      }
      assert.ok(sources.length > 0);
      read.push({ example, sources });
      const names = await applyConfigFile(desk.runtime.store, desk.runtime.sources.secrets, sources);
      for (const source of sources) {
        const stored = await getSourceByName(desk.runtime.store.db, source.name);
        assert.equal(stored?.kind, source.kind, `${source.name} stored`);
        const definition = findDefinition(source.kind, SOURCE_DEFINITIONS);
        // Built exactly as the supervisor builds it (constructing opens no connection).
        const built = definition.create(validateSourceOptions(definition, source.name, source.options), {
          name: source.name,
          fetch: globalThis.fetch,
          clock: () => new Date(),
          allowPrivateNetwork: false,
        });
        assert.equal(built.kind, source.kind);
      }
      assert.deepEqual(
        names,
        sources.map((s) => s.name),
      );
    });
  }

  test('one example per channel is accepted by POST /api/sources', async () => {
    const admin = await desk.login();
    const byKind = new Map<string, { options: Record<string, unknown>; where: string }>();
    for (const example of examples) {
      const parsed = parse(example.text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, v: string) => env[v]!)) as {
        sources: { kind: string; options?: Record<string, unknown> }[];
      };
      for (const source of parsed.sources)
        if (!byKind.has(source.kind)) byKind.set(source.kind, { options: source.options ?? {}, where: example.where });
    }
    assert.ok(byKind.size >= 4);
    for (const [kind, { options, where }] of byKind) {
      const response = await desk.app.inject({
        method: 'POST',
        url: '/api/sources',
        headers: { cookie: admin },
        // No remote check and not started: the example hosts are not real; the options are what is tested.
        payload: { name: `api-${kind}`, kind, options, enabled: false, skipCheck: true },
      });
      assert.equal(response.statusCode, 201, `${where} (${kind}) refused by the API: ${response.body}`);
      const body = response.json() as { kind: string; secretsSet: string[] };
      assert.equal(body.kind, kind);
      for (const secret of findDefinition(kind, SOURCE_DEFINITIONS).secrets)
        if (options[secret] !== undefined) assert.ok(body.secretsSet.includes(secret), `${kind}: ${secret} sealed`);
    }
  });

  test('a hashtag in any script is accepted, a tag with a space is refused by path', async () => {
    const admin = await desk.login();
    const post = (hashtags: string[]) =>
      desk.app.inject({
        method: 'POST',
        url: '/api/sources',
        headers: { cookie: admin },
        payload: {
          name: `tags-${hashtags.length}`,
          kind: 'mastodon',
          options: { instanceUrl: 'https://mastodon.example', accessToken: 'token', hashtags },
          enabled: false,
          skipCheck: true,
        },
      });
    assert.equal((await post(['NorthwindIT', '#Störung', 'ネットワーク', 'it_2026'])).statusCode, 201);
    const refused = await post(['two words']);
    assert.equal(refused.statusCode, 400, refused.body);
    assert.match(refused.body, /hashtags\.0/);
  });
});
