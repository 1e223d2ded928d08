/**
 * `earshot.config.yaml`: sources declared in a file are validated against their definitions'
 * schemas (every mistake named by its path), `${ENV}` references resolved, secrets sealed, and
 * upserted into the store on SQLite and PostgreSQL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { backends } from '../helpers/backends.js';
import { applyConfigFile, configFilePath, readConfigFile } from '../../src/sources/config-file.js';
import { createSecretBox } from '../../src/sources/secrets.js';
import { demoSourceDefinition } from '../../src/sources/demo.js';
import type { SourceDefinition } from '../../src/sources/source.js';
import { getSourceByName } from '../../src/store/sources.js';
import { loadConfig } from '../../src/config.js';

const tokenDefinition: SourceDefinition = {
  kind: 'tokened',
  label: 'Tokened (test)',
  description: 'Needs an instance URL and an access token.',
  capabilities: { canReplyPublicly: false, canDirectMessage: false, hasEdits: false, maxReplyLength: null },
  options: Type.Object(
    {
      instance: Type.String({ format: 'uri', pattern: '^https://' }),
      accessToken: Type.String({ minLength: 10 }),
      limit: Type.Optional(Type.Integer({ minimum: 1, default: 40 })),
    },
    { additionalProperties: false },
  ),
  secrets: ['accessToken'],
  create: () => {
    throw new Error('not started in this test');
  },
};
const definitions = [demoSourceDefinition, tokenDefinition];

const dir = mkdtempSync(join(tmpdir(), 'earshot-config-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
function file(text: string): string {
  const path = join(dir, `earshot-${randomBytes(4).toString('hex')}.config.yaml`);
  writeFileSync(path, text);
  return path;
}
const env = { UNI_TOKEN: 'uni-access-token-0123456789' };
const errorOf = (text: string): string => {
  try {
    readConfigFile(file(text), env, definitions);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the file to be refused');
};

describe('config file', () => {
  test('reads sources, resolves ${ENV} references and applies defaults', () => {
    const sources = readConfigFile(
      file(
        [
          'sources:',
          '  - name: uni',
          '    kind: tokened',
          '    options:',
          '      instance: https://mastodon.example',
          '      accessToken: ${UNI_TOKEN}',
          '  - name: demo',
          '    kind: demo',
          '    enabled: false',
          '',
        ].join('\n'),
      ),
      env,
      definitions,
    );
    assert.deepEqual(sources, [
      {
        name: 'uni',
        kind: 'tokened',
        enabled: true,
        options: { instance: 'https://mastodon.example', accessToken: 'uni-access-token-0123456789', limit: 40 },
      },
      { name: 'demo', kind: 'demo', enabled: false, options: {} },
    ]);
  });

  test('a bad field is refused with its path', () => {
    const path = file(
      [
        'sources:',
        '  - name: uni',
        '    kind: tokened',
        '    options:',
        '      instance: http://plain.example',
        '      accessToken: ${UNI_TOKEN}',
        '',
      ].join('\n'),
    );
    assert.throws(
      () => readConfigFile(path, env, definitions),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'ERR_CONFIG_FILE_INVALID');
        assert.match(
          error.message,
          new RegExp(`^${path.replace(/[.]/g, '\\.')}: sources\\[0\\]\\.options\\.instance: `),
        );
        return true;
      },
    );
    assert.match(
      errorOf('sources:\n  - name: d\n    kind: demo\n    options:\n      intervalSeconds: fast\n'),
      /: sources\[0\]\.options\.intervalSeconds: expected number$/,
    );
    assert.match(
      errorOf('sources:\n  - name: d\n    kind: demo\n    options:\n      colour: red\n'),
      /: sources\[0\]\.options\.colour: /,
    );
  });

  test('unknown keys, kinds, unset variables and duplicates are refused by path', () => {
    assert.match(
      errorOf('sources:\n  - name: d\n    kind: demo\n    interval: 3\n'),
      /: sources\[0\]\.interval: unknown key; expected one of name, kind, enabled, options$/,
    );
    assert.match(errorOf('streams: []\n'), /: streams: unknown key; expected one of allowedPrivateHosts, sources$/);
    assert.match(
      errorOf('sources:\n  - name: d\n    kind: telegraph\n'),
      /: sources\[0\]\.kind: No source kind "telegraph"; known kinds: demo, tokened$/,
    );
    assert.match(
      errorOf(
        'sources:\n  - name: u\n    kind: tokened\n    options:\n      instance: https://m.example\n      accessToken: ${NOT_SET_ANYWHERE}\n',
      ),
      /: sources\[0\]\.options\.accessToken: refers to \$\{NOT_SET_ANYWHERE\}, which is not set$/,
    );
    assert.match(
      errorOf('sources:\n  - name: d\n    kind: demo\n  - name: d\n    kind: demo\n'),
      /: sources\[1\]\.name: "d" is configured twice$/,
    );
    assert.match(errorOf('sources:\n  - name: "bad name!"\n    kind: demo\n'), /: sources\[0\]\.name: must be/);
    assert.match(errorOf('sources: [\n'), /: \(yaml\): /);
  });

  test('the file beside the data folder is found; EARSHOT_CONFIG overrides it', () => {
    const home = mkdtempSync(join(dir, 'home-'));
    mkdirSync(join(home, 'data'));
    assert.equal(configFilePath(loadConfig({ EARSHOT_DATA_DIR: join(home, 'data') })), null);
    writeFileSync(join(home, 'earshot.config.yaml'), 'sources: []\n');
    assert.equal(
      configFilePath(loadConfig({ EARSHOT_DATA_DIR: join(home, 'data') })),
      join(home, 'earshot.config.yaml'),
    );
    assert.equal(
      configFilePath(loadConfig({ EARSHOT_DATA_DIR: join(home, 'data'), EARSHOT_CONFIG: '/etc/earshot.yaml' })),
      '/etc/earshot.yaml',
    );
  });
});

for (const backend of await backends()) {
  describe(`${backend.name}: config file into the store`, { skip: backend.skip ?? false }, () => {
    let opened: Awaited<ReturnType<typeof backend.open>>;
    before(async () => {
      opened = await backend.open();
    });
    after(async () => opened?.dispose());

    test('sources are upserted with their secrets sealed, and a second start updates them', async () => {
      const box = createSecretBox(randomBytes(32));
      const text = (instance: string) =>
        `sources:\n  - name: uni\n    kind: tokened\n    options:\n      instance: ${instance}\n      accessToken: \${UNI_TOKEN}\n`;
      await applyConfigFile(
        opened.store,
        box,
        readConfigFile(file(text('https://one.example')), env, definitions),
        definitions,
      );
      const stored = (await getSourceByName(opened.store.db, 'uni'))!;
      assert.deepEqual(stored.options, { instance: 'https://one.example', limit: 40 });
      assert.deepEqual(stored.secretsSet, ['accessToken']);
      assert.equal(stored.origin, 'file');
      assert.doesNotMatch(stored.sealedSecrets ?? '', /uni-access-token/);
      assert.deepEqual(box.open('uni', stored.sealedSecrets!), { accessToken: 'uni-access-token-0123456789' });
      const row = await opened.store.db
        .selectFrom('sources')
        .selectAll()
        .where('name', '=', 'uni')
        .executeTakeFirstOrThrow();
      assert.doesNotMatch(JSON.stringify(row), /uni-access-token/, 'no plaintext anywhere in the row');

      await applyConfigFile(
        opened.store,
        box,
        readConfigFile(file(text('https://two.example')), env, definitions),
        definitions,
      );
      const again = (await getSourceByName(opened.store.db, 'uni'))!;
      assert.equal(again.id, stored.id);
      assert.equal(again.options.instance, 'https://two.example');
    });
  });
}
