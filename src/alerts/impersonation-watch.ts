/**
 * The impersonation and scam watch: listens to `posts.stored`, and for each post the analyzer
 * flagged (`impersonation`, `lure`) raises one de-duplicated alert per imitating author
 * (`impersonation:mastodon:@acrne@x.social`) and per look-alike domain (`lure:acme-login.com`),
 * or per author for a bare credential ask. Later posts refresh the open alert's evidence; only a
 * new alert is published on `alerts.raised`. The runtime starts it once.
 */
import type { Post } from '../domain/post.js';
import type { AlertSeverity } from '../domain/alert.js';
import type { Bus } from '../pipeline/bus.js';
import type { Store } from '../store/open.js';
import type { Analyzer } from '../analysis/analyzer.js';
import { raiseAlert, type AlertInput } from '../store/alerts.js';

export interface ImpersonationWatchDeps {
  readonly store: Store;
  readonly bus: Bus;
  /** The analyzer that flagged the posts, to say why (its `explain`). */
  readonly analyzer: Pick<Analyzer, 'explain'>;
  readonly clock?: () => Date;
  readonly onError?: (error: unknown) => void;
}

export interface ImpersonationWatch {
  /** Resolves when every alert for posts seen so far is written (tests wait on it). */
  idle(): Promise<void>;
  stop(): void;
}

/** Post ids kept as evidence per alert: enough to look at, bounded for a long campaign. */
const EVIDENCE_POSTS = 20;

export function startImpersonationWatch(deps: ImpersonationWatchDeps): ImpersonationWatch {
  const clock = deps.clock ?? (() => new Date());
  const onError = deps.onError ?? ((error: unknown) => console.error('impersonation watch:', error));
  const seenPosts = new Map<string, number[]>();
  // One writer at a time, in order: two batches from one impersonator never open two alerts.
  let chain: Promise<void> = Promise.resolve();

  async function publish(inputs: readonly AlertInput[]): Promise<void> {
    for (const input of inputs) {
      const { alert, created } = await raiseAlert(deps.store.db, input, clock().toISOString());
      if (created) await deps.bus.publish('alerts.raised', { alert });
    }
  }

  const unsubscribe = deps.bus.subscribe('posts.stored', function watchImpersonation({ posts }) {
    const inputs: AlertInput[] = [];
    for (const post of posts) {
      if (!post.flags || post.flags.length === 0) continue;
      inputs.push(...alertsFor(post));
    }
    if (inputs.length === 0) return chain;
    chain = chain.then(() => publish(inputs)).catch(onError);
    return chain;
  });

  function alertsFor(post: Post): AlertInput[] {
    const { impersonation, lures } = deps.analyzer.explain(post);
    const inputs: AlertInput[] = [];
    const who = post.author.handle;
    if (impersonation) {
      const key = `impersonation:${post.source}:${who.toLowerCase()}`;
      inputs.push({
        type: 'impersonation',
        severity: 'warning',
        title: `Possible impersonator of ${impersonation.official}: ${who}${post.author.name ? ` (“${post.author.name}”)` : ''}`,
        key,
        evidence: {
          source: post.source,
          handle: who,
          name: post.author.name,
          official: impersonation.official,
          technique: impersonation.technique,
          detail: impersonation.detail,
          postIds: remember(key, post.id),
        },
      });
    }
    const domains = lures.filter((lure) => lure.domain !== undefined);
    for (const lure of domains) {
      const key = `lure:${lure.domain}`;
      inputs.push({
        type: 'lure',
        severity: 'critical' satisfies AlertSeverity,
        title: `Scam link to ${lure.domain}, imitating ${lure.imitates}`,
        key,
        evidence: {
          domain: lure.domain,
          imitates: lure.imitates,
          kind: lure.kind,
          detail: lure.detail,
          lastAuthor: who,
          postIds: remember(key, post.id),
        },
      });
    }
    const ask = lures.find((lure) => lure.kind === 'credential-ask');
    if (ask && domains.length === 0) {
      const key = `lure:ask:${post.source}:${who.toLowerCase()}`;
      inputs.push({
        type: 'lure',
        severity: 'warning',
        title: `${who} ${ask.detail} in public`,
        key,
        evidence: { source: post.source, handle: who, detail: ask.detail, postIds: remember(key, post.id) },
      });
    }
    return inputs;
  }

  function remember(key: string, postId: number): number[] {
    const ids = seenPosts.get(key) ?? [];
    if (!ids.includes(postId)) ids.push(postId);
    if (ids.length > EVIDENCE_POSTS) ids.splice(0, ids.length - EVIDENCE_POSTS);
    seenPosts.set(key, ids);
    return [...ids];
  }

  return {
    idle: () => chain,
    stop() {
      unsubscribe();
      seenPosts.clear();
    },
  };
}
