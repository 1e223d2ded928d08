/**
 * The knowledge base, policies and belt ladder in a real browser (Chromium via playwright-core)
 * against the production bundle: a green belt writes an article, links it in a reply from the
 * composer, a reader votes it helpful on the public page, and it shows on the author's page; a
 * white belt acknowledges a policy and passes a module quiz and sees the belt progress; the
 * review queue approves one held reply and returns another. Screenshots go to test/artifacts/.
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
import { createUser } from '../../src/store/users.js';
import { insertPosts } from '../../src/store/posts.js';
import { createTickets, listOutbound } from '../../src/store/tickets.js';
import { listHeldReplies } from '../../src/store/ladder.js';
import type { User } from '../../src/domain/user.js';
import { newPost } from '../helpers/posts.js';
import { browserSkipReason, launchBrowser } from '../helpers/browser.js';

const skip = browserSkipReason();
const ARTIFACTS = join(process.cwd(), 'test', 'artifacts');

describe('knowledge, policies and belts in Chromium', { skip: skip ?? false }, () => {
  let dataDir: string;
  let runtime: Runtime;
  let app: App;
  let base: string;
  let browser: Browser;
  const users: Record<string, User> = {};
  let ticketId = 0;
  let slug = '';
  const pageErrors: string[] = [];

  async function pageAs(username: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: base });
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
    dataDir = mkdtempSync(join(tmpdir(), 'earshot-kb-'));
    const config = loadConfig({
      EARSHOT_DATA_DIR: dataDir,
      EARSHOT_ADMIN_PASSWORD: 'kb-admin-password',
      EARSHOT_PORT: '0',
      EARSHOT_LOG_LEVEL: 'warn',
    });
    runtime = await createRuntime(config, {});
    app = await buildApp(runtime, [webDesk({ dist: process.env.EARSHOT_TEST_WEB_DIST ?? WEB_DIST })]);
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const db = runtime.store.db;
    for (const [name, role] of [
      ['root', 'admin'],
      ['gus', 'agent'],
      ['wendy', 'agent'],
    ] as const)
      users[name] = await createUser(db, { username: name, role, password: `pw-${name}-123456` });
    const { ladder, policies, training } = runtime.knowledge;
    // The gate on: public replies below green wait for review; gus is made green by hand.
    await ladder.saveSettings({ reviewBelow: 2, approveBatchFrom: 2, approveReviewsFrom: 2 });
    await ladder.setLevel(users.gus!.id, 2, users.root!);
    const policy = await policies.create(
      { title: 'Social media policy', audience: 'agent', reviewEveryDays: 365 },
      users.root!,
    );
    await policies.publish(policy.id, 'Be kind; never post account data in public.', users.root!);
    const [post] = await insertPosts(db, [newPost({ text: 'How do I reset my password? The mail never comes.' })]);
    ticketId = (
      await createTickets(db, [
        {
          type: 'question',
          priority: 'normal',
          subject: 'Password reset mail',
          postId: post!.id,
          streamId: null,
          source: 'mastodon',
          slaDueAt: null,
        },
      ])
    )[0]!.id;
    const quizArticle = await runtime.knowledge.base.create(
      { title: 'Tone of voice', body: 'We are warm and brief.', visibility: 'internal' },
      users.root!,
    );
    await training.create({
      title: 'Speaking for us',
      articleIds: [quizArticle.id],
      quiz: [
        { question: 'How do we sound?', choices: ['Warm and brief', 'Formal and long'], answer: 0 },
        { question: 'May you post account data in public?', choices: ['Yes', 'Never'], answer: 1 },
      ],
      passShare: 1,
    });
    // Yellow: this module passed and the policies acknowledged.
    const levels = await ladder.levels();
    await ladder.saveLevels(
      levels.map((level, i) =>
        i === 1
          ? { name: level.name, criteria: { ...level.criteria, modulesPassed: 1, policiesAcknowledged: true } }
          : { name: level.name, criteria: level.criteria },
      ),
    );
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    await runtime?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('writes an article, links it in a reply, a reader votes it helpful, and it shows on the author’s page', async () => {
    const page = await pageAs('gus');
    await page.getByRole('link', { name: 'Knowledge' }).click();
    await page.getByRole('link', { name: 'Write an article' }).click();
    await page.getByLabel('Title').fill('Reset mail not arriving');
    await page
      .getByLabel('Text (Markdown)')
      .fill('Check your **spam** folder, then ask for a new mail after five minutes.');
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByRole('heading', { name: 'Reset mail not arriving', level: 1 }).waitFor();
    await page.locator('.kb-body strong', { hasText: 'spam' }).waitFor();
    await shot(page, 'kb-article');

    await page.goto(`/inbox/${ticketId}`);
    await page.getByRole('button', { name: 'Insert article link' }).click();
    await page.getByLabel('Search articles').fill('spam folder');
    await page
      .getByRole('list', { name: 'Articles' })
      .getByRole('button', { name: /Reset mail not arriving/ })
      .click();
    const composer = page.locator('#composer-body');
    assert.match(await composer.inputValue(), /\/kb\/reset-mail-not-arriving$/);
    await composer.fill(`Sorry about that! ${await composer.inputValue()}`);
    await shot(page, 'kb-composer-link');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.waitForFunction("document.querySelector('#composer-body').value === ''");
    const sent = await listOutbound(runtime.store.db, { ticketId });
    assert.equal(sent.length, 1, 'a green belt’s reply is sent, not held');
    assert.match(sent[0]!.body, /\/kb\/reset-mail-not-arriving/);
    slug = 'reset-mail-not-arriving';

    // A reader without a login opens the link and votes.
    const reader = await (await browser.newContext({ baseURL: base })).newPage();
    await reader.goto(`/kb/${slug}`);
    await reader.getByRole('heading', { name: 'Reset mail not arriving' }).waitFor();
    await reader.getByRole('button', { name: 'Yes' }).click();
    await reader.getByRole('status').filter({ hasText: 'Thank you' }).waitFor();
    await shot(reader, 'kb-public-voted');

    await page.goto(`/contributors/${users.gus!.id}`);
    await page.getByRole('heading', { name: 'gus', level: 1 }).waitFor();
    assert.equal(await page.locator('[data-count="written"]').textContent(), '1');
    assert.equal(await page.locator('[data-count="helped"]').textContent(), '1');
    assert.equal(await page.locator('[data-count="linked"]').textContent(), '1');
    await page.getByRole('list', { name: 'Badges' }).getByText('Helped someone').waitFor();
    await shot(page, 'kb-contributor');
  });

  it('a white belt acknowledges a policy, passes a module quiz and sees the belt progress', async () => {
    const page = await pageAs('wendy');
    await page.getByRole('link', { name: 'Belt' }).click();
    const progress = page.getByRole('region', { name: 'Belt progress' });
    await progress.getByText('white', { exact: true }).waitFor();
    await progress.getByText(/Training modules passed: 0 \/ 1/).waitFor();
    await page.getByRole('button', { name: 'I have read and acknowledge Social media policy' }).click();
    await page.getByText('None waiting.').first().waitFor();
    const quiz = page.getByRole('form', { name: 'Quiz: Speaking for us' });
    await quiz.getByLabel('Warm and brief').check();
    await quiz.getByLabel('Never').check();
    await quiz.getByRole('button', { name: 'Submit answers' }).click();
    await quiz.getByRole('status').filter({ hasText: '2 of 2 right: passed' }).waitFor();
    await progress.getByText('yellow', { exact: true }).waitFor();
    await progress.getByText(/The green belt needs/).waitFor();
    await shot(page, 'belt-progress');
  });

  it('the review queue approves one held reply and returns another', async () => {
    const wendy = await pageAs('wendy');
    for (const text of ['We are looking into the reset mail for you.', 'It will be fixed tomorrow, promise.']) {
      await wendy.goto(`/inbox/${ticketId}`);
      await wendy.locator('#composer-body').fill(text);
      await wendy.getByRole('button', { name: 'Send reply' }).click();
      await wendy
        .getByRole('status')
        .filter({ hasText: /held for review/ })
        .waitFor();
    }
    await shot(wendy, 'belt-held-notice');
    assert.equal((await listOutbound(runtime.store.db, { ticketId })).length, 1, 'held replies are not sent');
    const held = await listHeldReplies(runtime.store.db, { status: 'held' });
    const [returnIt, approveIt] = held; // newest first

    const gus = await pageAs('gus');
    await gus.getByRole('link', { name: 'Belt' }).click();
    const queue = gus.getByRole('region', { name: 'Review queue' });
    await queue.locator(`[data-held="${approveIt!.id}"]`).getByRole('button', { name: 'Approve and send' }).click();
    await queue.locator(`[data-held="${approveIt!.id}"]`).waitFor({ state: 'detached' });
    const item = queue.locator(`[data-held="${returnIt!.id}"]`);
    await item.getByLabel('Note for the author').fill('Do not promise a date');
    await shot(gus, 'belt-review-queue');
    await item.getByRole('button', { name: 'Return' }).click();
    await item.waitFor({ state: 'detached' });
    await queue.getByText('Nothing waiting.').waitFor();

    const outbound = await listOutbound(runtime.store.db, { ticketId });
    assert.equal(outbound[1]!.body, 'We are looking into the reset mail for you.');
    assert.equal(outbound.length, 2);
    await wendy.goto('/belt');
    await wendy
      .getByText(/returned: “It will be fixed tomorrow, promise\.” — reviewer’s note: Do not promise a date/)
      .waitFor();
    assert.deepEqual(pageErrors, []);
  });
});
