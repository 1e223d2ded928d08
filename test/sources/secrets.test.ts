/**
 * Sealing sources' credentials: a round trip, a wrong key failing clearly, a sealed value
 * bound to its source's name, key parsing, and the key file a laptop gets with no setup.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  createSecretBox,
  loadSecretKey,
  parseSecretKey,
  SECRET_KEY_FILE,
  splitSecrets,
} from '../../src/sources/secrets.js';
import { isEarshotError } from '../../src/domain/errors.js';

describe('source secrets', () => {
  test('sealed secrets open again with the same key, and hide their values', () => {
    const box = createSecretBox(randomBytes(32));
    const sealed = box.seal('uni-mastodon', { accessToken: 'tok-very-secret-123', password: 'p@ss word' });
    assert.doesNotMatch(sealed, /tok-very-secret-123|p@ss/);
    assert.match(sealed, /^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.deepEqual(box.open('uni-mastodon', sealed), { accessToken: 'tok-very-secret-123', password: 'p@ss word' });
    assert.notEqual(
      box.seal('uni-mastodon', { a: 'b' }),
      box.seal('uni-mastodon', { a: 'b' }),
      'a fresh IV every time',
    );
  });

  test('a wrong key fails clearly, naming the source and the likely cause', () => {
    const sealed = createSecretBox(randomBytes(32)).seal('uni-mastodon', { accessToken: 'tok' });
    assert.throws(
      () => createSecretBox(randomBytes(32)).open('uni-mastodon', sealed),
      (error: unknown) => {
        assert.ok(isEarshotError(error));
        assert.equal(error.code, 'ERR_SECRETS_UNREADABLE');
        assert.equal(
          error.message,
          'Cannot decrypt the secrets of source uni-mastodon: wrong EARSHOT_SECRET_KEY (or secret.key), or the stored value was altered',
        );
        return true;
      },
    );
  });

  test('a sealed value cannot be moved to another source or altered', () => {
    const box = createSecretBox(randomBytes(32));
    const sealed = box.seal('one', { token: 'x' });
    assert.throws(() => box.open('two', sealed), /Cannot decrypt the secrets of source two/);
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0] = body[0]! ^ 1;
    assert.throws(
      () => box.open('one', [parts[0], parts[1], parts[2], body.toString('base64url')].join('.')),
      /altered/,
    );
    assert.throws(() => box.open('one', 'plain-text'), /not a sealed secret/);
  });

  test('keys: hex, base64 and passphrases; too short is refused', () => {
    const raw = randomBytes(32);
    assert.deepEqual(parseSecretKey(raw.toString('hex')), raw);
    assert.deepEqual(parseSecretKey(raw.toString('base64')), raw);
    assert.deepEqual(parseSecretKey('correct horse battery staple'), parseSecretKey('correct horse battery staple'));
    assert.equal(parseSecretKey('correct horse battery staple').length, 32);
    assert.throws(
      () => parseSecretKey('short'),
      /EARSHOT_SECRET_KEY is unusable: a passphrase needs at least 12 characters/,
    );
    assert.throws(() => createSecretBox(randomBytes(16)), /not 32/);
  });

  test('with no EARSHOT_SECRET_KEY a 0600 key file is made once and reused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'earshot-key-'));
    try {
      const created: string[] = [];
      const first = loadSecretKey({ secretKey: null, dataDir: join(dir, 'data') }, (path) => created.push(path));
      const second = loadSecretKey({ secretKey: null, dataDir: join(dir, 'data') }, (path) => created.push(path));
      assert.deepEqual(first, second);
      assert.deepEqual(created, [join(dir, 'data', SECRET_KEY_FILE)]);
      assert.equal(statSync(created[0]!).mode & 0o777, 0o600);
      assert.deepEqual(parseSecretKey(readFileSync(created[0]!, 'utf8')), first);
      const fromEnv = loadSecretKey({ secretKey: 'an operator passphrase', dataDir: join(dir, 'data') });
      assert.notDeepEqual(fromEnv, first, 'EARSHOT_SECRET_KEY wins over the file');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('options split into plain and secret parts; empty secrets are left out', () => {
    assert.deepEqual(
      splitSecrets({ instance: 'https://m.example', accessToken: 'tok', password: '' }, ['accessToken', 'password']),
      {
        plain: { instance: 'https://m.example' },
        secrets: { accessToken: 'tok' },
      },
    );
  });
});
