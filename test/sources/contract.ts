/**
 * The contract every source runs, like Hono's shared router cases: each channel supplies a
 * harness over its own fake (or real) peer, and the same cases check it through the
 * supervisor's runner: resume from the saved cursor, no duplicate after a restart, refused
 * credentials reported as `failed` with the channel's message, an outage reported with backoff
 * and recovered from, and reply idempotency. A case a channel cannot have (RSS sends nothing,
 * the demo has no peer) is skipped with the reason.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PostDraft } from '../../src/domain/post.js';
import type { ReplyTarget, Source, AnySource } from '../../src/sources/source.js';
import { drive, recordingContext, type Driven, type RecordingContext } from './fakes/source-context.js';

export interface ContractHarness {
  /** A source reading the channel under test; with `wrongCredentials`, one whose credentials the peer refuses. */
  create(variant?: { readonly wrongCredentials?: boolean }): AnySource;
  /** Publishes a new post on the channel; resolves with the external id the source will give it. */
  publish(): Promise<string>;
  /** The clock the host hands the source (the demo's posts follow it). */
  readonly clock?: () => Date;
  /** The channel's message when it refuses credentials; null where there are none to refuse. */
  readonly refusal: RegExp | null;
  /** Takes the peer away and brings it back; null where there is no peer. */
  readonly outage: { down(): void | Promise<void>; up(): void | Promise<void> } | null;
  /** How many posts the peer holds from us, to count a reply's remote posts; null where the channel has no remote end. */
  readonly remoteReplies: (() => number | Promise<number>) | null;
  close(): Promise<void>;
}

const WAIT_MS = 10_000;

export function runSourceContract(
  name: string,
  setup: () => Promise<ContractHarness>,
  options: { readonly skip?: string | false } = {},
): void {
  describe(`source contract: ${name}`, { skip: options.skip ?? false }, () => {
    let harness: ContractHarness;
    const running: Driven<Source<unknown>>[] = [];
    before(async () => {
      harness = await setup();
    });
    after(async () => {
      await Promise.all(running.map((run) => run.stop()));
      await harness?.close();
    });

    async function start(
      context: RecordingContext,
      saved: string | null,
      variant?: { wrongCredentials?: boolean },
    ): Promise<Driven<Source<unknown>>> {
      const run = drive(harness.create(variant));
      running.push(run);
      await run.start(context, saved);
      return run;
    }
    const ids = (context: RecordingContext) => context.emitted.map((draft) => draft.externalId);
    /** Waits for posts to be handed over: a polling source is polled, a stream delivers by itself. */
    async function pickUp(
      run: Driven<Source<unknown>>,
      context: RecordingContext,
      wanted: readonly string[],
    ): Promise<void> {
      if (!run.source.stream) await run.poll();
      await context.waitFor(
        () => wanted.every((id) => ids(context).includes(id)),
        WAIT_MS,
        `${wanted.join(', ')} (have ${ids(context).slice(-5).join(', ')})`,
      );
    }

    test('resumes from the saved cursor: what was posted while stopped arrives, and only that', async () => {
      const first = recordingContext(harness.clock);
      const a = await start(first, null);
      await pickUp(a, first, [await harness.publish()]);
      await a.stop();
      const saved = a.cursor();
      assert.ok(saved, 'a cursor was saved');

      const missed = [await harness.publish(), await harness.publish()];
      const second = recordingContext(harness.clock);
      const b = await start(second, saved);
      await pickUp(b, second, missed);
      await b.stop();
      assert.deepEqual(ids(second), missed, 'exactly the posts made while stopped, oldest first');
    });

    test('a restart with nothing new hands nothing over again', async () => {
      const first = recordingContext(harness.clock);
      const a = await start(first, null);
      await pickUp(a, first, [await harness.publish()]);
      await a.stop();
      const second = recordingContext(harness.clock);
      const b = await start(second, a.cursor());
      if (!b.source.stream) await b.poll();
      // A stream catches up on connecting; give it the time to (wrongly) repeat something.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await b.stop();
      const before = new Set(ids(first));
      assert.deepEqual(
        ids(second).filter((id) => before.has(id)),
        [],
        'nothing handed over twice',
      );
    });

    test("refused credentials are reported as failed, with the channel's error", async (t) => {
      if (!harness.refusal) return t.skip(`${name} has no credentials to refuse`);
      const context = recordingContext(harness.clock);
      await start(context, null, { wrongCredentials: true }).catch(() => undefined);
      await context.waitFor(
        () => context.statuses.some((entry) => entry.status === 'failed'),
        WAIT_MS,
        'status failed',
      );
      const failed = context.statuses.find((entry) => entry.status === 'failed')!;
      assert.match(failed.detail ?? '', harness.refusal);
    });

    test('an outage is reported with backoff, and posts arrive once the peer is back', async (t) => {
      if (!harness.outage) return t.skip(`${name} has no peer to lose`);
      const context = recordingContext(harness.clock);
      const run = await start(context, null);
      await pickUp(run, context, [await harness.publish()]);
      const seen = context.statuses.length;
      await harness.outage.down();
      const during = await harness.publish();
      if (!run.source.stream) await run.poll().catch(() => undefined);
      await context.waitFor(
        () => context.statuses.slice(seen).some((entry) => entry.status === 'backing-off'),
        WAIT_MS,
        'status backing-off',
      );
      assert.ok(
        !context.statuses.slice(seen).some((entry) => entry.status === 'failed'),
        `an outage is not a failure: ${JSON.stringify(context.statuses.slice(seen))}`,
      );
      await harness.outage.up();
      await pickUp(run, context, [during]);
      await run.stop();
      assert.equal(
        ids(context).filter((id) => id === during).length,
        1,
        'the post made during the outage arrived once',
      );
    });

    test('a reply sent twice with one idempotency key makes one remote post', async (t) => {
      const context = recordingContext(harness.clock);
      const run = await start(context, null);
      if (!run.send) {
        assert.equal(
          run.source.capabilities.maxReplyLength,
          null,
          'a source that cannot send says so in its capabilities',
        );
        await run.stop();
        return t.skip(`${name} cannot reply`);
      }
      const id = await harness.publish();
      await pickUp(run, context, [id]);
      const draft = context.emitted.find((candidate) => candidate.externalId === id)!;
      const before = await harness.remoteReplies?.();
      const reply = {
        idempotencyKey: `contract-${name}-1`,
        inReplyTo: draft.externalId,
        visibility: visibilityFor(run.source),
        body: 'Thanks, we are on it.',
        target: targetOf(draft),
      };
      const sent = await run.send(reply);
      const again = await run.send(reply);
      await run.stop();
      assert.equal(again.remoteId, sent.remoteId);
      if (before !== undefined) assert.equal(await harness.remoteReplies!(), before + 1, 'one remote post');
    });
  });
}

function targetOf(draft: PostDraft): ReplyTarget {
  return { externalId: draft.externalId, url: draft.url, authorHandle: draft.author.handle, extra: draft.extra };
}

function visibilityFor(source: Source<unknown>): 'public' | 'private' {
  return source.capabilities.canReplyPublicly ? 'public' : 'private';
}
