/**
 * Major incidents from clusters: stored posts are clustered as they arrive; a cluster with
 * enough distinct reporters becomes a major incident (or joins an open one about the same
 * problem) with every reporter's post attached, and later reports attach automatically, even
 * after the cluster itself has gone quiet or Earshot restarted (open incidents keep their
 * terms in the store).
 */
import type { Post } from '../domain/post.js';
import type { Bus } from '../pipeline/bus.js';
import type { Store } from '../store/open.js';
import type { Incident } from '../domain/incident.js';
import { attachPosts, createIncident, listOpenIncidents, updateIncidentRow } from '../store/incidents.js';
import { Clusterer, type Cluster, type ClusterOptions, type Features } from './cluster.js';

export interface IncidentTrackerOptions {
  readonly store: Store;
  readonly bus: Bus;
  readonly clock?: () => Date;
  readonly cluster?: ClusterOptions;
  /** Distinct reporters that make a cluster a major incident. */
  readonly minReporters?: number;
  /** Who may approve updates on a new incident, until someone edits the list. */
  readonly defaultResponders?: readonly number[];
}

interface OpenIncident {
  incident: Incident;
  /** The incident's terms as a cluster the clusterer can score posts against. */
  readonly profile: Cluster;
}

/** Posts that can report a problem: negative ones, and outages or complaints in any tone. */
export function reportsProblem(post: Pick<Post, 'sentiment' | 'kind'>): boolean {
  return post.sentiment === 'negative' || post.kind === 'outage' || post.kind === 'complaint';
}

export class IncidentTracker {
  readonly clusterer: Clusterer;
  readonly #options: IncidentTrackerOptions;
  readonly #clock: () => Date;
  readonly #minReporters: number;
  #open: Promise<OpenIncident[]> | null = null;
  #chain: Promise<unknown> = Promise.resolve();
  readonly #unsubscribe: () => void;

  constructor(options: IncidentTrackerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? (() => new Date());
    this.#minReporters = options.minReporters ?? 10;
    this.clusterer = new Clusterer(options.cluster);
    this.#unsubscribe = options.bus.subscribe('incidents.changed', ({ incident }) => {
      if (incident.status !== 'open') return this.forget(incident.id);
    });
  }

  close(): void {
    this.#unsubscribe();
  }

  /**
   * Clusters the posts and links them to incidents. Returns each clustered post's detector key
   * (`cluster:<id>`), so bursts can be watched per cluster too. Calls run one at a time.
   */
  observe(posts: readonly Post[]): Promise<Map<number, string>> {
    const run = this.#chain.then(() => this.#observe(posts));
    this.#chain = run.catch(() => {});
    return run;
  }

  /** Forgets an incident once it is resolved, so new reports start a new one. */
  async forget(incidentId: number): Promise<void> {
    const open = await this.#openIncidents();
    const index = open.findIndex((entry) => entry.incident.id === incidentId);
    if (index >= 0) open.splice(index, 1);
  }

  async #observe(posts: readonly Post[]): Promise<Map<number, string>> {
    const keys = new Map<number, string>();
    const attach = new Map<number, number[]>();
    const open = await this.#openIncidents();
    const now = this.#clock().toISOString();
    for (const post of posts) {
      if (!reportsProblem(post)) continue;
      const at = Math.min(Date.parse(post.createdAt), this.#clock().getTime());
      const cluster = this.clusterer.assign({
        id: post.id,
        text: post.text,
        at,
        author: `${post.source}:${post.author.handle}`,
      });
      keys.set(post.id, `cluster:${cluster.id}`);
      if (cluster.incidentId === null && cluster.size === 1) {
        // A new cluster about an open incident's problem belongs to it from the first report.
        const match = this.#match(this.clusterer.features(post.text), open);
        if (match) cluster.incidentId = match.incident.id;
      }
      if (cluster.incidentId !== null) {
        push(attach, cluster.incidentId, post.id);
        open
          .find((entry) => entry.incident.id === cluster.incidentId)
          ?.profile.authors.add(`${post.source}:${post.author.handle}`);
        continue;
      }
      if (cluster.authors.size < this.#minReporters) continue;
      const incident = await createIncident(
        this.#options.store.db,
        {
          title: titleOf(cluster),
          severity: severityOf(cluster.authors.size),
          terms: termsOf(cluster),
          responders: [...(this.#options.defaultResponders ?? [])],
        },
        now,
      );
      const profile = profileOf(incident);
      for (const author of cluster.authors) profile.authors.add(author);
      open.push({ incident, profile });
      cluster.incidentId = incident.id;
      attach.set(incident.id, [...cluster.postIds]);
    }
    for (const [incidentId, postIds] of attach) {
      const linked = await attachPosts(this.#options.store.db, incidentId, postIds, now);
      const entry = open.find((candidate) => candidate.incident.id === incidentId);
      if (entry && linked.length > 0) await this.#refresh(entry, now);
      if (entry)
        await this.#options.bus.publish('incidents.changed', { incident: entry.incident, attachedPostIds: linked });
    }
    return keys;
  }

  #match(features: Features, open: readonly OpenIncident[]): OpenIncident | null {
    let best: OpenIncident | null = null;
    let bestScore = 0;
    for (const entry of open) {
      const score = this.clusterer.score(features, entry.profile);
      if (score > bestScore) {
        best = entry;
        bestScore = score;
      }
    }
    return best;
  }

  /** Keeps the stored severity in step with the number of reporters. */
  async #refresh(entry: OpenIncident, now: string): Promise<void> {
    const severity = severityOf(entry.profile.authors.size);
    if (severity === entry.incident.severity) return;
    const updated = await updateIncidentRow(this.#options.store.db, entry.incident.id, { severity }, now);
    if (updated) entry.incident = updated;
  }

  #openIncidents(): Promise<OpenIncident[]> {
    this.#open ??= listOpenIncidents(this.#options.store.db).then((incidents) =>
      incidents.map((incident) => ({ incident, profile: profileOf(incident) })),
    );
    return this.#open;
  }
}

/** The cluster's most telling terms, as the share of reporters who use each. */
function termsOf(cluster: Cluster): Record<string, number> {
  return Object.fromEntries(
    [...cluster.docFreq.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 40)
      .map(([term, count]) => [term, Math.round((count / cluster.size) * 1000) / 1000]),
  );
}

function profileOf(incident: Incident): Cluster {
  const size = 100;
  const docFreq = new Map(Object.entries(incident.terms).map(([term, share]) => [term, Math.round(share * size)]));
  return {
    id: -incident.id,
    size,
    authors: new Set(),
    postIds: [],
    docFreq,
    signatures: [],
    firstAt: 0,
    lastAt: 0,
    incidentId: incident.id,
  };
}

function titleOf(cluster: Cluster): string {
  const top = (prefix: string): string | undefined =>
    [...cluster.docFreq.entries()]
      .filter(([term]) => term.startsWith(prefix))
      .sort((a, b) => b[1] - a[1])[0]?.[0]
      .slice(prefix.length);
  const service = top('svc:');
  const symptom = top('sym:');
  const words = [...cluster.docFreq.entries()]
    .filter(([term]) => !term.includes(':'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([term]) => term);
  return `Major incident: ${[service, symptom].filter(Boolean).join(' ') || words.join(' ') || 'many reports'} (${cluster.authors.size} reporters)`;
}

function severityOf(reporters: number): string {
  return reporters >= 50 ? 'critical' : 'warning';
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
