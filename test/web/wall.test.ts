/**
 * The wall and rooms in a real browser (Chromium via playwright-core) against the production
 * bundle, in one browser session: an employee asks anonymously (blind tokens made in the page,
 * the post sent without the cookie), a team member answers officially, and the asker, holding its
 * key in the same browser context, sees the official answer pinned first and follows up as the
 * asker; two people talk in a room (a message arrives live, presence, unread on return); an
 * employee finds no social desk in the nav and no ticket at a desk URL; an invited person opens
 * the link, chooses a password and lands on the wall. Screenshots go to test/artifacts/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { loadConfig } from '../../src/config.js';
import { buildApp, createRuntime, type Runtime } from '../../src/runtime.js';
import { WEB_DIST, webDesk } from '../../src/server/web.js';
import type { App } from '../../src/server/app.js';
import { createUser, listUsers } from '../../src/store/users.js';
import { insertPosts } from '../../src/store/posts.js';
import { createTickets } from '../../src/store/tickets.js';
import type { User } from '../../src/domain/user.js';
import { newPost } from '../helpers/posts.js';
import { browserSkipReason, launchBrowser } from '../helpers/browser.js';

const skip = browserSkipReason();
const ARTIFACTS = join(process.cwd(), 'test', 'artifacts');

describe('wall and rooms in Chromium', { skip: skip ?? false }, () => {
  let dataDir: string;
  let runtime: Runtime;
  let app: App;
  let base: string;
  let browser: Browser;
  const users: Record<string, User> = {};
  const pages: Record<string, Page> = {};
  let spaceId = 0;
  const pageErrors: string[] = [];

  async function pageAs(username: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: base });
    // Fail with the step's name instead of hanging until the whole file times out.
    context.setDefaultTimeout(20_000);
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto('/');
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(`pw-${username}-123456`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    return page;
  }
  const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });

  before(async () => {
    if (!existsSync(join(WEB_DIST, 'index.html'))) {
      const built = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
      assert.equal(built.status, 0, 'npm run build failed');
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    dataDir = mkdtempSync(join(tmpdir(), 'earshot-wall-web-'));
    const config = loadConfig({
      EARSHOT_DATA_DIR: dataDir,
      EARSHOT_ADMIN_PASSWORD: 'wall-admin-password',
      EARSHOT_PORT: '0',
      EARSHOT_LOG_LEVEL: 'warn',
    });
    runtime = await createRuntime(config, {});
    app = await buildApp(runtime, [webDesk({ dist: process.env.EARSHOT_TEST_WEB_DIST ?? WEB_DIST })]);
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const db = runtime.store.db;
    for (const [name, displayName] of [
      ['ann', 'Ann Asker'],
      ['tina', 'Tina Team'],
      ['bob', 'Bob Builder'],
    ] as const)
      users[name] = await createUser(db, {
        username: name,
        displayName,
        role: 'employee',
        password: `pw-${name}-123456`,
      });
    const space = await runtime.wall.wall.createSpace({
      name: 'ERP programme',
      description: 'The move to the new ERP',
      slaHours: 48,
      team: [users.tina!.id],
      leadership: [],
      audience: null,
    });
    spaceId = space.id;
    await runtime.wall.rooms.create({ name: 'Town hall', topic: 'Ask the CIO' });
    // A ticket of the social desk, which an employee must never see.
    const [post] = await insertPosts(db, [newPost({ text: 'Confidential customer complaint about billing' })]);
    await createTickets(db, [
      {
        type: 'question',
        priority: 'normal',
        subject: 'Confidential billing complaint',
        postId: post!.id,
        streamId: null,
        source: 'mastodon',
        slaDueAt: null,
      },
    ]);
    browser = await launchBrowser();
    [pages.ann, pages.tina, pages.bob] = await Promise.all([pageAs('ann'), pageAs('tina'), pageAs('bob')]);
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    await runtime?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('an employee asks anonymously, the team answers officially, and the asker sees the answer first', async () => {
    const ann = pages.ann!;
    const tina = pages.tina!;
    // Employees land on the wall.
    await ann.getByRole('heading', { name: 'Wall', level: 1 }).waitFor();
    await ann.getByRole('link', { name: 'ERP programme' }).click();
    await ann.getByRole('heading', { name: 'ERP programme', level: 1 }).waitFor();
    await ann.getByLabel('Title').fill('Will our team keep its own reports after the switch?');
    await ann.getByLabel('Details (Markdown)').fill('We run **twelve** monthly reports on the old system.');
    await ann.getByRole('switch', { name: 'Post anonymously' }).check();
    await ann.getByRole('button', { name: 'Post anonymously' }).click();
    await ann.getByRole('heading', { name: /Will our team keep its own reports/, level: 1 }).waitFor();
    await ann.getByText('(you asked this, anonymously)').waitFor();
    await ann.locator('.wall-text strong', { hasText: 'twelve' }).waitFor();
    const threadId = new URL(ann.url()).pathname.split('/').pop()!;

    // Stored with nothing of Ann: no author, and her browser kept the asker's key.
    const row = await runtime.store.db
      .selectFrom('wall_threads')
      .select(['author_id', 'created_at'])
      .where('id', '=', threadId)
      .executeTakeFirstOrThrow();
    assert.equal(row.author_id, null);
    assert.match(row.created_at, /T\d\d:00:00/);
    const kept = await ann.evaluate(
      // Runs in the page, where `localStorage` exists (the tests' types have no DOM).
      (id) =>
        (
          JSON.parse(
            (globalThis as unknown as { localStorage: { getItem(key: string): string | null } }).localStorage.getItem(
              'earshot.wall.asked',
            ) ?? '{}',
          ) as Record<string, string>
        )[id],
      threadId,
    );
    assert.ok(kept && 'd' in JSON.parse(kept), 'the asker’s private key is kept in the browser');

    // Tina, on the space's team, sees it ranked in the space and answers officially.
    await tina.goto(`/wall/spaces/${spaceId}`);
    await tina.getByRole('link', { name: /Will our team keep its own reports/ }).click();
    await tina.getByText('Anonymous', { exact: false }).first().waitFor();
    await tina.getByLabel('Your reply (Markdown)').fill('Yes: all twelve move over, *unchanged*, in March.');
    await tina.getByLabel(/Official answer/).check();
    await tina.getByRole('button', { name: 'Send reply' }).click();
    await tina.locator('.wall-reply.official').waitFor();

    // The asker's page updates live: the official answer, pinned first.
    const official = ann.getByRole('listitem', { name: 'Official answer' });
    await official.getByText('Tina Team').waitFor();
    await official.locator('em', { hasText: 'unchanged' }).waitFor();
    await ann.getByRole('heading', { name: 'Follow up as the asker' }).waitFor();
    await ann.getByLabel('Your reply (Markdown)').fill('Thank you, that settles it.');
    await ann.getByRole('button', { name: 'Send reply' }).click();
    const replies = ann.locator('.wall-replies > li');
    await replies.nth(1).getByText('The asker').waitFor();
    assert.equal(await replies.first().getAttribute('aria-label'), 'Official answer');
    await shot(ann, 'wall-thread-asker');

    // The space shows the answer record.
    await tina.goto(`/wall/spaces/${spaceId}`);
    await tina.getByText('Answered', { exact: true }).waitFor();
    await tina.getByRole('heading', { name: 'Rumour radar' }).waitFor();
    await shot(tina, 'wall-space-team');
  });

  it('two people talk in a room: live messages, presence, unread on return', async () => {
    const ann = pages.ann!;
    const bob = pages.bob!;
    await ann.getByRole('link', { name: 'Rooms' }).click();
    await ann.getByRole('link', { name: 'Town hall' }).click();
    await bob.getByRole('link', { name: 'Rooms' }).click();
    await bob.getByRole('link', { name: 'Town hall' }).click();
    await ann.getByText(/Here now: .*Bob Builder/).waitFor();
    await bob.getByText(/Here now: .*Ann Asker/).waitFor();
    await bob.getByLabel('Message to Town hall').fill('Hi @ann, is the town hall recorded?');
    await bob.getByRole('button', { name: 'Send' }).click();
    const received = ann
      .getByRole('list', { name: 'Messages' })
      .getByRole('listitem')
      .filter({ hasText: 'is the town hall recorded?' });
    await received.getByText('mentions you').waitFor();
    await shot(ann, 'rooms-live');

    // Ann leaves the room; Bob's next message waits for her as unread.
    await ann.getByRole('link', { name: 'Wall' }).click();
    await bob.getByText(/Here now: Bob Builder$/).waitFor();
    await bob.getByLabel('Message to Town hall').fill('Slides are on the intranet.');
    await bob.getByRole('button', { name: 'Send' }).click();
    await bob.getByText('Slides are on the intranet.').waitFor();
    await ann.getByRole('link', { name: 'Rooms' }).click();
    await ann
      .getByRole('link', { name: /Town hall/ })
      .getByText('1 unread', { exact: true })
      .waitFor();
  });

  it('an employee cannot reach the social desk', async () => {
    const bob = pages.bob!;
    const nav = bob.getByRole('navigation', { name: 'Main' });
    assert.deepEqual(await nav.getByRole('link').allTextContents(), ['✎Wall', '☷Rooms']);
    await bob.goto('/inbox');
    await bob.getByRole('heading', { name: 'Not available' }).waitFor();
    assert.ok(!(await bob.content()).includes('Confidential billing complaint'));
    assert.equal(await bob.evaluate(async () => (await fetch('/api/tickets')).status), 403);
  });

  it('an invited person opens the link and chooses a password', async () => {
    const admin = (await listUsers(runtime.store.db)).find((user) => user.role === 'admin')!;
    const invited = await runtime.wall.invitations.invite({ email: 'dora@example.org', name: 'Dora Newcomer' }, admin);
    assert.equal(invited.mailed, false, 'no SMTP here: the link is handed back');
    const page = await (await browser.newContext({ baseURL: base })).newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(invited.link.replace(/^.*\/invite/, '/invite'));
    await page.getByRole('heading', { name: 'Welcome, Dora Newcomer' }).waitFor();
    await page.getByLabel('New password').fill('doras-own-password');
    await page.getByRole('button', { name: 'Set my password' }).click();
    await page.getByRole('status').getByText('Your password is set').waitFor();
    await page.goto('/login');
    await page.getByLabel('Username').fill('dora');
    await page.getByLabel('Password').fill('doras-own-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Wall', level: 1 }).waitFor();
    assert.deepEqual(pageErrors, []);
  });
});
