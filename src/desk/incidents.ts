/**
 * Major incidents from clusters: stored posts are clustered as they arrive; a cluster with
 * enough distinct reporters becomes a major incident (or joins an open one about the same
 * problem) with every reporter's post attached, and later reports attach automatically, even
 * after the cluster itself has gone quiet or Earshot restarted (open incidents keep their
 * terms in the store).
 */
import { TimeSlice } from '../pipeline/time-slice.js';
import type { Post } from '../domain/post.js';
import type { Bus } from '../pipeline/bus.js';
import type { Store } from '../store/open.js';
import type { Incident } from '../domain/incident.js';
import { attachPosts, createIncident, listOpenIncidents, updateIncidentRow } from '../store/incidents.js';
import { addToCluster, Clusterer, SALIENT_SHARE, type Cluster, type ClusterOptions, type Features } from './cluster.js';

export interface IncidentTrackerOptions {
  readonly store: Store;
  readonly bus: Bus;
  readonly clock?: () => Date;
  readonly cluster?: ClusterOptions;
  /** Distinct reporters of a problem (not only questions or requests) that make a cluster a major incident. */
  readonly minReporters?: number;
  /** The reporters that open an incident must all have reported within this many minutes. */
  readonly openWithinMinutes?: number;
  /** An open incident with no report for this long takes no more (new reports start afresh). */
  readonly idleMinutes?: number;
  /** Who may approve updates on a new incident, until someone edits the list. */
  readonly defaultResponders?: readonly number[];
}

/** How long an incident absorbs reports after its last one, unless configured. */
export const DEFAULT_IDLE_MINUTES = 120;

interface OpenIncident {
  incident: Incident;
  /** The incident's terms as a cluster the clusterer can score posts against; its reports keep adding to it. */
  readonly profile: Cluster;
  /** Epoch ms of the latest report (by its time). */
  lastReportAt: number;
  /** Reports added to the profile since its terms were last stored. */
  unsaved: number;
}

/** Posts that can report a problem: negative ones, and outages or complaints in any tone. */
export function reportsProblem(post: Pick<Post, 'sentiment' | 'kind'>): boolean {
  return post.sentiment === 'negative' || post.kind === 'outage' || post.kind === 'complaint';
}

/**
 * Whether a post counts towards opening a major incident: an outage or complaint (or a question
 * whose close runner-up is one: "is the vpn down?"), or a negative post that neither asks how to do
 * something nor requests something. Repeated how-to questions and password-reset requests are
 * clustered (and join an incident) but never open one on their own.
 */
export function countsAsReport(post: Pick<Post, 'sentiment' | 'kind' | 'secondKind'>): boolean {
  if (post.kind === 'outage' || post.secondKind === 'outage') return true;
  const asks = post.secondKind === 'question' || post.secondKind === 'request';
  if (post.kind === 'complaint') return !asks;
  return post.kind === 'other' && post.sentiment === 'negative';
}

/** Whether an open incident has gone idle: no report within the window before `now` (epoch ms). */
export function isIdle(incident: Incident, now: number, idleMinutes = DEFAULT_IDLE_MINUTES): boolean {
  if (incident.status !== 'open') return false;
  const last = Date.parse(incident.lastReportAt ?? incident.updatedAt);
  return Number.isFinite(last) && now - last > idleMinutes * 60_000;
}

export class IncidentTracker {
  readonly clusterer: Clusterer;
  readonly #options: IncidentTrackerOptions;
  readonly #clock: () => Date;
  readonly #minReporters: number;
  readonly #idleMs: number;
  readonly #openWithinMs: number;
  #open: Promise<OpenIncident[]> | null = null;
  #chain: Promise<unknown> = Promise.resolve();
  readonly #unsubscribe: () => void;

  constructor(options: IncidentTrackerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? (() => new Date());
    this.#minReporters = options.minReporters ?? 10;
    this.#idleMs = (options.idleMinutes ?? DEFAULT_IDLE_MINUTES) * 60_000;
    this.#openWithinMs = (options.openWithinMinutes ?? 60) * 60_000;
    this.clusterer = new Clusterer(options.cluster);
    this.#unsubscribe = options.bus.subscribe('incidents.changed', ({ incident }) => {
      if (incident.status !== 'open') return this.forget(incident.id);
      return this.#know(incident);
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

  /** Learns an open incident made by hand (a split), or the latest row of a known one. */
  async #know(incident: Incident): Promise<void> {
    const open = await this.#openIncidents();
    const entry = open.find((candidate) => candidate.incident.id === incident.id);
    if (entry) entry.incident = incident;
    else open.push(openEntry(incident));
  }

  async #observe(posts: readonly Post[]): Promise<Map<number, string>> {
    const keys = new Map<number, string>();
    const attach = new Map<number, number[]>();
    /** Reports that join an existing incident: its profile (and so its title) learns from them. */
    const joined = new Map<number, { readonly post: Post; readonly features: Features }[]>();
    const open = await this.#openIncidents();
    const now = this.#clock().toISOString();
    const active = (entry: OpenIncident, at: number): boolean => at - entry.lastReportAt <= this.#idleMs;
    // Thousands of posts (a large import) are long clustering work: let the event loop run every
    // few milliseconds so the API keeps answering; `#chain` keeps the messages in order.
    const slice = new TimeSlice();
    for (const post of posts) {
      if (slice.due()) await slice.yield();
      if (!reportsProblem(post)) continue;
      const at = Math.min(Date.parse(post.createdAt), this.#clock().getTime());
      const author = `${post.source}:${post.author.handle}`;
      const cluster = this.clusterer.assign({ id: post.id, text: post.text, at, author, report: countsAsReport(post) });
      keys.set(post.id, `cluster:${cluster.id}`);
      // After `assign`, which may learn a subject name from this very post.
      const features = this.clusterer.features(post.text);
      if (cluster.incidentId !== null) {
        // An incident takes reports only while it is active and open; after that the cluster is on its own.
        const entry = open.find((candidate) => candidate.incident.id === cluster.incidentId);
        if (!entry || !active(entry, at)) cluster.incidentId = null;
      }
      if (cluster.incidentId === null && cluster.size === 1) {
        // A new cluster about an active incident's problem belongs to it from the first report.
        const match = this.#match(
          features,
          open.filter((entry) => active(entry, at)),
        );
        if (match) cluster.incidentId = match.incident.id;
      }
      if (cluster.incidentId !== null) {
        const entry = open.find((candidate) => candidate.incident.id === cluster.incidentId)!;
        entry.lastReportAt = Math.max(entry.lastReportAt, at);
        push(attach, cluster.incidentId, post.id);
        push(joined, cluster.incidentId, { post, features });
        continue;
      }
      if (!this.#opens(cluster, at)) continue;
      const incident = await createIncident(
        this.#options.store.db,
        {
          title: titleOf(cluster),
          severity: severityOf(cluster.reporters.size),
          terms: termsOf(cluster),
          responders: [...(this.#options.defaultResponders ?? [])],
        },
        now,
      );
      open.push({ incident, profile: copyOf(cluster, incident.id), lastReportAt: cluster.lastAt, unsaved: 0 });
      cluster.incidentId = incident.id;
      attach.set(incident.id, [...cluster.postIds]);
    }
    for (const [incidentId, postIds] of attach) {
      const linked = await attachPosts(this.#options.store.db, incidentId, postIds, now);
      const entry = open.find((candidate) => candidate.incident.id === incidentId);
      if (!entry) continue;
      const linkedIds = new Set(linked);
      for (const { post, features } of joined.get(incidentId) ?? []) {
        if (!linkedIds.has(post.id)) continue;
        addToCluster(
          Date.parse(post.createdAt),
          entry.profile,
          features,
          `${post.source}:${post.author.handle}`,
          countsAsReport(post),
          null,
        );
        entry.unsaved += 1;
      }
      if (linked.length > 0) await this.#refresh(entry, now);
      await this.#options.bus.publish('incidents.changed', { incident: entry.incident, attachedPostIds: linked });
    }
    return keys;
  }

  /**
   * Whether a cluster is a major incident: enough distinct people reporting the problem within the
   * opening window. The same question asked by a dozen people over a day is not an outage.
   */
  #opens(cluster: Cluster, at: number): boolean {
    if (cluster.reporters.size < this.#minReporters) return false;
    let recent = 0;
    for (const last of cluster.reporters.values()) if (at - last <= this.#openWithinMs) recent += 1;
    return recent >= this.#minReporters;
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

  /** Keeps the stored title, severity, terms and last report in step with the reports. */
  async #refresh(entry: OpenIncident, now: string): Promise<void> {
    const severity = severityOf(entry.profile.reporters.size);
    const title = titleOf(entry.profile);
    const change: Parameters<typeof updateIncidentRow>[2] = {
      lastReportAt: new Date(entry.lastReportAt).toISOString(),
    };
    if (severity !== entry.incident.severity) change.severity = severity;
    if (title !== entry.incident.title) change.title = title;
    if (entry.unsaved >= 25) {
      change.terms = termsOf(entry.profile);
      entry.unsaved = 0;
    }
    const updated = await updateIncidentRow(this.#options.store.db, entry.incident.id, change, now);
    if (updated) entry.incident = updated;
  }

  #openIncidents(): Promise<OpenIncident[]> {
    this.#open ??= listOpenIncidents(this.#options.store.db).then((incidents) => incidents.map(openEntry));
    return this.#open;
  }
}

/** The cluster's most telling terms, as the share of members who use each. */
function termsOf(cluster: Cluster): Record<string, number> {
  return Object.fromEntries(
    [...cluster.docFreq.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 40)
      .map(([term, count]) => [term, Math.round((count / cluster.size) * 1000) / 1000]),
  );
}

function openEntry(incident: Incident): OpenIncident {
  const last = Date.parse(incident.lastReportAt ?? incident.updatedAt);
  return { incident, profile: profileOf(incident), lastReportAt: Number.isFinite(last) ? last : 0, unsaved: 0 };
}

/** A new incident's profile: a copy of the counts of the cluster that opened it. */
function copyOf(cluster: Cluster, incidentId: number): Cluster {
  return {
    ...cluster,
    id: -incidentId,
    authors: new Set(cluster.authors),
    reporters: new Map(cluster.reporters),
    postIds: [],
    docFreq: new Map(cluster.docFreq),
    subjects: new Map(cluster.subjects),
    symptoms: new Map(cluster.symptoms),
    salient: new Set(cluster.salient),
    symptomMax: cluster.symptomMax,
    signatures: [],
    incidentId,
  };
}

/** An incident's stored terms as a cluster of 100 members (its reporters are added as they come). */
function profileOf(incident: Incident): Cluster {
  const size = 100;
  const docFreq = new Map(Object.entries(incident.terms).map(([term, share]) => [term, Math.round(share * size)]));
  const prefixed = (prefix: string) =>
    new Map(
      [...docFreq].filter(([term]) => term.startsWith(prefix)).map(([term, n]) => [term.slice(prefix.length), n]),
    );
  const subjects = prefixed('svc:');
  const symptoms = prefixed('sym:');
  return {
    id: -incident.id,
    size,
    authors: new Set(),
    reporters: new Map(),
    postIds: [],
    docFreq,
    subjects,
    symptoms,
    symptomMax: Math.max(0, ...symptoms.values()),
    salient: new Set([...subjects].filter(([, n]) => n >= size * SALIENT_SHARE).map(([subject]) => subject)),
    signatures: [],
    firstAt: 0,
    lastAt: 0,
    incidentId: incident.id,
  };
}

/** "VPN down (12 reporters)": the subject and symptom most of its reports name now. */
function titleOf(cluster: Cluster): string {
  const top = (counts: ReadonlyMap<string, number>): string | undefined =>
    [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const service = top(cluster.subjects);
  const symptom = top(cluster.symptoms);
  const words = [...cluster.docFreq.entries()]
    .filter(([term]) => !term.includes(':'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([term]) => term);
  const reporters = cluster.reporters.size || cluster.authors.size;
  return `Major incident: ${[service, symptom].filter(Boolean).join(' ') || words.join(' ') || 'many reports'} (${reporters} reporters)`;
}

function severityOf(reporters: number): string {
  return reporters >= 50 ? 'critical' : 'warning';
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
