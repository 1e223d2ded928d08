/**
 * The intranet-hosts setting where a user sets it: the desk's API (`/api/sources/settings`:
 * admins only, validated, audited, applied at once to adding a source), `earshot.config.yaml`'s
 * `allowedPrivateHosts`, and the one guard that reads the union (names, addresses, CIDR networks
 * matched against every address a name resolves to).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { intranetEntryProblem } from '../../src/domain/intranet-hosts.js';
import { hostRefusal } from '../../src/sources/ssrf.js';
import { readConfig } from '../../src/sources/config-file.js';
import { startTestDesk, type TestDesk } from '../helpers/app.js';
import { startFeedServer, type FeedServer } from './fakes/feed-server.js';

const FEED =
  '<rss version="2.0"><channel><title>IT status</title><item><title>VPN maintenance</title><guid>s1</guid></item></channel></rss>';

describe('intranet hosts', () => {
  test('entries: names, addresses and networks; patterns, /0 and junk are refused with the reason', () => {
    for (const ok of ['status.intranet.example', '10.0.0.5', '[fd00::1]', '10.20.0.0/16', 'fd00::/8', 'localhost'])
      assert.equal(intranetEntryProblem(ok), null, ok);
    assert.match(intranetEntryProblem('*.corp')!, /pattern/);
    assert.match(intranetEntryProblem('0.0.0.0/0')!, /every address/);
    assert.match(intranetEntryProblem('10.0.0.0/33')!, /CIDR/);
    assert.match(intranetEntryProblem('intranet_host!')!, /not a host name/);
  });

  test('a listed network lets a name through only when every private address it resolves to is inside', async () => {
    const resolve = async (name: string) => (name === 'mail.corp' ? ['10.20.1.5'] : ['10.20.1.5', '192.168.1.1']);
    const guard = { allowPrivateNetwork: false, allowedPrivateHosts: ['10.20.0.0/16'], resolve };
    assert.equal(await hostRefusal('mail.corp', guard), null);
    assert.match((await hostRefusal('mixed.corp', guard))!, /192\.168\.1\.1/);
    assert.match((await hostRefusal('mail.corp', { ...guard, allowedPrivateHosts: [] }))!, /private/);
  });

  test('earshot.config.yaml: allowedPrivateHosts is read, and a bad entry names its path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'earshot-intranet-'));
    try {
      const file = join(dir, 'earshot.config.yaml');
      writeFileSync(file, 'allowedPrivateHosts: [Status.Intranet.Example, 10.20.0.0/16]\nsources: []\n');
      assert.deepEqual(readConfig(file, {}).allowedPrivateHosts, ['status.intranet.example', '10.20.0.0/16']);
      writeFileSync(file, 'allowedPrivateHosts: ["*.corp"]\n');
      assert.throws(
        () => readConfig(file, {}),
        (error: Error) => /allowedPrivateHosts: .*pattern/.test(error.message),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('from the desk (API)', () => {
    let desk: TestDesk;
    let feeds: FeedServer;
    let admin: string;
    before(async () => {
      desk = await startTestDesk();
      feeds = await startFeedServer();
      feeds.publish('/status.rss', { body: FEED });
      admin = `Bearer ${await desk.tokenFor('admin')}`;
    });
    after(async () => {
      await desk?.close();
      await feeds?.close();
    });
    const call = (method: 'GET' | 'PUT' | 'POST', url: string, auth: string, payload?: object) =>
      desk.app.inject({ method, url, headers: { authorization: auth }, ...(payload ? { payload } : {}) });
    const addFeed = () =>
      call('POST', '/api/sources', admin, {
        name: 'it-status',
        kind: 'rss',
        options: { feeds: [{ url: `${feeds.origin}/status.rss` }] },
      });

    test('refused until an admin allows the network; the change is validated, audited and applied at once', async () => {
      const refused = await addFeed();
      assert.equal(refused.statusCode, 422, refused.body);
      assert.match(refused.body, /loopback|private/);

      const agent = await call('PUT', '/api/sources/settings', `Bearer ${await desk.tokenFor('agent')}`, {
        allowedPrivateHosts: ['127.0.0.1'],
      });
      assert.equal(agent.statusCode, 403);
      const bad = await call('PUT', '/api/sources/settings', admin, { allowedPrivateHosts: ['10.0.0.0/0'] });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.json().error.message, /every address/);

      const saved = await call('PUT', '/api/sources/settings', admin, { allowedPrivateHosts: ['127.0.0.0/8'] });
      assert.equal(saved.statusCode, 200, saved.body);
      const settings = saved.json();
      assert.deepEqual(settings.allowedPrivateHosts, ['127.0.0.0/8']);
      assert.ok(settings.effective.includes('127.0.0.0/8'));
      assert.equal(settings.audit[0].username, 'admin1');
      assert.deepEqual([settings.audit[0].before, settings.audit[0].after], [[], ['127.0.0.0/8']]);

      // No restart: the next source added is checked under the new list.
      const added = await addFeed();
      assert.equal(added.statusCode, 201, added.body);
      assert.deepEqual((await call('GET', '/api/sources/settings', admin)).json().allowedPrivateHosts, ['127.0.0.0/8']);
    });
  });
});
