/**
 * Clustering: posts about the same problem, in a time window, join one cluster. Pure and
 * incremental: `assign(post)` returns the post's cluster; clusters idle longer than the window
 * are forgotten, so the state stays bounded.
 *
 * A post joins the best-scoring live cluster that
 * - is a near-duplicate (MinHash over word 3-shingles: retweets, copy-paste), or
 * - names a symptom (down, 500, can't log in…) like the cluster's reporters do, names no
 *   conflicting subject, and either names the same subject (same service failing in the same
 *   window: same incident, whatever the symptom) or shares a symptom and covers enough of the
 *   post's weighted terms.
 * A subject is the service or product a post is about: a configured service name, an acronym
 * (VPN, SSO), or a capitalised name ("Canvas is down", "the Moodle site"). Two outages at once
 * share generic words (students, class, today, down) but not their subjects, so a post naming
 * one subject never joins a cluster whose reporters name another.
 * A complaint that shares only the brand or the service name ("the portal's new design is
 * ugly") names no symptom, so it starts its own cluster.
 *
 * Cost per post does not grow with the number of live clusters: each cluster keeps its term
 * counts (and its subject and symptom counts apart) incrementally; candidates come from an index
 * of terms to clusters that skips generic terms (held by many clusters) plus MinHash bands for
 * near-duplicates; clusters are kept in order of last activity, so expiry only looks at the
 * ones it removes.
 */

import { fmix32, fnv1a } from '../domain/hash.js';

export interface ClusterPost {
  readonly id: number;
  readonly text: string;
  /** Epoch ms. */
  readonly at: number;
  readonly author: string;
  /** Whether the post reports a problem (default) or only asks or requests something. */
  readonly report?: boolean;
}

export interface ClusterOptions {
  /** A cluster no post joined for this long is closed. */
  readonly windowMinutes?: number;
  /** Weighted share of the post's terms the cluster must already hold. */
  readonly joinScore?: number;
  /** Estimated Jaccard similarity over shingles that makes a post a near-duplicate. */
  readonly nearDuplicate?: number;
  /** Service names in this organisation: shared ones join, conflicting ones keep apart. */
  readonly services?: readonly string[];
  readonly maxClusters?: number;
  /** Member ids kept per cluster (enough to attach all reports when it becomes an incident). */
  readonly maxMembers?: number;
  /** A term held by more live clusters than this finds no candidates (it is generic). */
  readonly genericClusters?: number;
  /** Clusters scored per post at most (those sharing its rarest terms first). */
  readonly maxCandidates?: number;
}

export interface Cluster {
  readonly id: number;
  size: number;
  readonly authors: Set<string>;
  /** Authors whose post reported a problem (not only a question or a request) → when they last did. */
  readonly reporters: Map<string, number>;
  readonly postIds: number[];
  /** Term → number of members that contain it. */
  readonly docFreq: Map<string, number>;
  /** Subject (service or product) → members naming it; symptom → members naming it. */
  readonly subjects: Map<string, number>;
  readonly symptoms: Map<string, number>;
  /** The subjects at least a fifth of the members name (five at most), kept as members join. */
  readonly salient: Set<string>;
  /** The most members naming any one symptom. */
  symptomMax: number;
  readonly signatures: Uint32Array[];
  firstAt: number;
  lastAt: number;
  /** Set by the incident tracker once the cluster is (part of) a major incident. */
  incidentId: number | null;
}

export interface Features {
  /** Term → weight. Entities are `#tag`, `@handle`, `url:host`; subjects `svc:name`; symptoms `sym:word`. */
  readonly terms: Map<string, number>;
  /** Subjects: configured services, acronyms and capitalised product names the post names. */
  readonly services: string[];
  readonly symptoms: string[];
  readonly signature: Uint32Array | null;
}

export const DEFAULT_SERVICES = [
  'portal',
  'vpn',
  'email',
  'mail',
  'wifi',
  'website',
  'app',
  'api',
  'payments',
  'billing',
  'checkout',
  'sso',
  'printer',
  'network',
  'intranet',
  'teams',
] as const;

const SYMPTOMS = new Set([
  'down',
  'outage',
  'offline',
  'unavailable',
  'unreachable',
  'error',
  '500',
  '502',
  '503',
  '504',
  'timeout',
  'timed',
  'slow',
  'crash',
  'crashed',
  'crashing',
  'broken',
  'broke',
  'fail',
  'failed',
  'failing',
  'failure',
  'dead',
  'died',
  'load',
  'loading',
  'login',
  'log',
  'signin',
  'sign',
  'access',
  'connect',
  'connection',
  'working',
  'work',
  'lag',
  'lagging',
  'glitch',
  'bug',
  'spinning',
  'blank',
  'freezing',
  'frozen',
  'hang',
  'hanging',
  'stuck',
]);

const STOPWORDS = new Set(
  (
    'a an and are as at be been but by for from has have i im is it its me my of on or so that the this to was we were with you your our us they them ' +
    'just again still now today anyone else any all can cant cannot not no dont does doesnt did didnt do get got getting what when why how who here there ' +
    'please pls help fix thanks thank hi hello hey really very too also into out up about after before since then than there their will would could should ' +
    'is isnt am being one some more most other such only own same few each every time day morning afternoon evening tonight yet ever'
  ).split(' '),
);

const HASHES = 32;
/** A subject this share of a cluster's members name is what the cluster is about. */
export const SALIENT_SHARE = 0.2;
const SEEDS = Array.from({ length: HASHES }, (_, i) => (Math.imul(i + 1, 0x9e3779b1) ^ 0x85ebca6b) >>> 0);

export class Clusterer {
  readonly #o: Required<ClusterOptions>;
  readonly #services: Set<string>;
  /** Live clusters, least recently joined first (a join moves a cluster to the end). */
  readonly #clusters = new Map<number, Cluster>();
  /** Term → clusters holding it, and MinHash band → clusters: candidates without scanning every cluster. */
  readonly #index = new Postings<string>();
  readonly #bands = new Postings<number>();
  #nextId = 1;
  readonly #known = (word: string): boolean => this.#index.has(`svc:${word}`);

  constructor(options: ClusterOptions = {}) {
    this.#o = {
      windowMinutes: 180,
      joinScore: 0.3,
      nearDuplicate: 0.6,
      services: DEFAULT_SERVICES,
      maxClusters: 5000,
      maxMembers: 5000,
      genericClusters: 64,
      maxCandidates: 8,
      ...stripUndefined(options),
    };
    this.#services = new Set(this.#o.services.map((s) => s.toLowerCase()));
  }

  /** Puts a post in its cluster (a new one if none fits) and returns that cluster. */
  assign(post: ClusterPost): Cluster {
    this.expire(post.at);
    const features = this.features(post.text);
    let best: Cluster | null = null;
    let bestScore = 0;
    const candidates = this.#candidates(features);
    for (const [id, viaBand] of candidates) {
      const cluster = this.#clusters.get(id)!;
      // Only a cluster sharing a MinHash band can hold a near-duplicate.
      const score = this.score(features, cluster, viaBand);
      if (score > bestScore) {
        best = cluster;
        bestScore = score;
      }
    }
    const cluster = best ?? this.#create(post.at);
    this.#add(cluster, post, features);
    return cluster;
  }

  /** How well a post fits a cluster: 0 (no) … 1; a near-duplicate scores 1. */
  score(features: Features, cluster: Cluster, nearDuplicateCheck = true): number {
    // Subjects: a post naming only other subjects than the cluster's reporters do is another problem.
    const salient = Math.max(1, cluster.size * SALIENT_SHARE);
    let sharesSubject = false;
    let postOnly = false;
    for (const subject of features.services) {
      if ((cluster.subjects.get(subject) ?? 0) >= salient) sharesSubject = true;
      else postOnly = true;
    }
    let clusterOnly = false;
    for (const subject of cluster.salient) if (!features.services.includes(subject)) clusterOnly = true;
    if (postOnly && clusterOnly) return 0;
    // Retweets and copy-paste (about no other subject) join whatever they say.
    if (
      nearDuplicateCheck &&
      features.signature &&
      cluster.signatures.some((signature) => similarity(signature, features.signature!) >= this.#o.nearDuplicate)
    )
      return 1;
    // Only problem reports cluster: the post and the cluster's reporters both name a symptom.
    const symptomFloor = Math.max(1, cluster.size * 0.05);
    if (features.symptoms.length === 0 || cluster.symptomMax < symptomFloor) return 0;
    const sharesSymptom = features.symptoms.some((symptom) => (cluster.symptoms.get(symptom) ?? 0) >= symptomFloor);
    let shared = 0;
    let total = 0;
    for (const [term, weight] of features.terms) {
      total += weight;
      const frequency = cluster.docFreq.get(term) ?? 0;
      // A term a quarter of the reporters use counts in full; a one-off counts a little.
      shared += weight * Math.min(1, frequency / Math.max(1, cluster.size * 0.25));
    }
    const overlap = total === 0 ? 0 : shared / total;
    // The same subject failing in the same window is the same incident, whatever the symptom.
    if (sharesSubject) return 0.5 + overlap / 2;
    if (!sharesSymptom) return 0;
    return overlap >= this.#o.joinScore ? overlap : 0;
  }

  get(id: number): Cluster | undefined {
    return this.#clusters.get(id);
  }

  /** Live clusters, for tests and metrics. */
  get size(): number {
    return this.#clusters.size;
  }

  /** A post's features; a product a live cluster's reporters named ("Canvas") is a subject however it is written. */
  features(text: string): Features {
    return featuresOf(text, this.#services, this.#known);
  }

  /** Forgets clusters idle for longer than the window (oldest first, stopping at the first live one). */
  expire(now: number): void {
    const cutoff = now - this.#o.windowMinutes * 60_000;
    for (const cluster of this.#clusters.values()) {
      if (cluster.lastAt >= cutoff) break;
      this.#remove(cluster);
    }
  }

  /**
   * Clusters worth scoring: those sharing the post's rarest terms (and its MinHash bands), at most
   * `maxCandidates`, so the work per post stays the same however many clusters are live.
   */
  #candidates(features: Features): Map<number, boolean> {
    const lists: Holders[] = [];
    const keep = (holders: Holders | undefined): void => {
      // A term many live clusters hold is generic: it finds no particular cluster.
      if (holders !== undefined && holdersSize(holders) <= this.#o.genericClusters) lists.push(holders);
    };
    const collect = (key: string): void => keep(this.#index.get(key));
    // Near-duplicates first, then clusters about the post's subjects, then the rarest shared terms.
    if (features.signature) for (const band of bandsOf(features.signature)) keep(this.#bands.get(band));
    const bands = lists.length;
    for (const subject of features.services) collect(`svc:${subject}`);
    const first = lists.length;
    for (const term of features.terms.keys()) if (!term.startsWith('sym:') && !term.startsWith('svc:')) collect(term);
    const rest = lists.splice(first).sort((a, b) => holdersSize(a) - holdersSize(b));
    lists.push(...rest);
    const ids = new Map<number, boolean>();
    for (let i = 0; i < lists.length; i += 1) {
      const holders = lists[i]!;
      const put = (id: number): boolean => {
        if (i < bands) ids.set(id, true);
        else if (!ids.has(id)) ids.set(id, false);
        return ids.size >= this.#o.maxCandidates;
      };
      if (typeof holders === 'number') {
        if (put(holders)) return ids;
      } else for (const id of holders) if (put(id)) return ids;
    }
    return ids;
  }

  #create(at: number): Cluster {
    if (this.#clusters.size >= this.#o.maxClusters) {
      const oldest = this.#clusters.values().next().value;
      if (oldest) this.#remove(oldest);
    }
    const cluster: Cluster = {
      id: this.#nextId++,
      size: 0,
      authors: new Set(),
      reporters: new Map(),
      postIds: [],
      docFreq: new Map(),
      subjects: new Map(),
      symptoms: new Map(),
      salient: new Set(),
      symptomMax: 0,
      signatures: [],
      firstAt: at,
      lastAt: at,
      incidentId: null,
    };
    this.#clusters.set(cluster.id, cluster);
    return cluster;
  }

  #add(cluster: Cluster, post: ClusterPost, features: Features): void {
    addToCluster(
      post.at,
      cluster,
      features,
      post.author,
      post.report ?? true,
      this.#o.maxMembers > cluster.postIds.length ? post.id : null,
    );
    cluster.lastAt = Math.max(cluster.lastAt, post.at);
    // Most recently joined last: expiry walks from the front.
    this.#clusters.delete(cluster.id);
    this.#clusters.set(cluster.id, cluster);
    // Up to eight distinct shapes of text: a copy of one already kept adds nothing to find
    // near-duplicates with, only index entries to keep and remove.
    const signature = features.signature;
    if (
      signature &&
      cluster.signatures.length < 8 &&
      !cluster.signatures.some((kept) => similarity(kept, signature) >= this.#o.nearDuplicate)
    ) {
      cluster.signatures.push(signature);
      for (const band of bandsOf(signature)) this.#bands.add(band, cluster.id);
    }
    for (const term of features.terms.keys()) if (cluster.docFreq.get(term) === 1) this.#index.add(term, cluster.id);
    // Bounded vocabulary: a big cluster drops the words only one reporter used.
    if (cluster.docFreq.size > 600 && cluster.size > 20) {
      for (const [term, count] of cluster.docFreq) {
        if (count > 1) continue;
        cluster.docFreq.delete(term);
        this.#index.remove(term, cluster.id);
      }
    }
  }

  #remove(cluster: Cluster): void {
    this.#clusters.delete(cluster.id);
    for (const term of cluster.docFreq.keys()) this.#index.remove(term, cluster.id);
    for (const signature of cluster.signatures)
      for (const band of bandsOf(signature)) this.#bands.remove(band, cluster.id);
  }
}

/** The clusters holding one key: a lone id (most terms belong to one cluster), else a set. */
type Holders = number | Set<number>;

function holdersSize(holders: Holders): number {
  return typeof holders === 'number' ? 1 : holders.size;
}

/**
 * An inverted index from keys to cluster ids. Most keys are held by one cluster, so a lone id is
 * kept as a number: no set object per term, which keeps the heap (and the garbage collector's
 * work) small when thousands of clusters are live.
 */
class Postings<K> {
  readonly #map = new Map<K, Holders>();

  get(key: K): Holders | undefined {
    return this.#map.get(key);
  }

  has(key: K): boolean {
    return this.#map.has(key);
  }

  add(key: K, id: number): void {
    const holders = this.#map.get(key);
    if (holders === undefined) this.#map.set(key, id);
    else if (typeof holders === 'number') {
      if (holders !== id) this.#map.set(key, new Set([holders, id]));
    } else holders.add(id);
  }

  remove(key: K, id: number): void {
    const holders = this.#map.get(key);
    if (holders === undefined) return;
    if (typeof holders === 'number') {
      if (holders === id) this.#map.delete(key);
      return;
    }
    holders.delete(id);
    if (holders.size === 1) this.#map.set(key, holders.values().next().value!);
    else if (holders.size === 0) this.#map.delete(key);
  }
}

/**
 * Adds one post's features to a cluster's counts (term, subject and symptom counts, authors and,
 * for problem reports, reporters). Used by the clusterer and for an incident's own profile.
 */
export function addToCluster(
  at: number,
  cluster: Cluster,
  features: Features,
  author: string,
  report: boolean,
  postId: number | null,
): void {
  cluster.size += 1;
  cluster.authors.add(author);
  if (report) cluster.reporters.set(author, Math.max(at, cluster.reporters.get(author) ?? at));
  if (postId !== null) cluster.postIds.push(postId);
  for (const term of features.terms.keys()) cluster.docFreq.set(term, (cluster.docFreq.get(term) ?? 0) + 1);
  for (const subject of features.services) cluster.subjects.set(subject, (cluster.subjects.get(subject) ?? 0) + 1);
  for (const symptom of features.symptoms) {
    const count = (cluster.symptoms.get(symptom) ?? 0) + 1;
    cluster.symptoms.set(symptom, count);
    cluster.symptomMax = Math.max(cluster.symptomMax, count);
  }
  // Only this post's subjects gained; the others can only have fallen below a fifth.
  const floor = Math.max(1, cluster.size * SALIENT_SHARE);
  for (const subject of cluster.salient) if (cluster.subjects.get(subject)! < floor) cluster.salient.delete(subject);
  for (const subject of features.services) if (cluster.subjects.get(subject)! >= floor) cluster.salient.add(subject);
}

/**
 * MinHash bands (4 hashes each): near-duplicates share at least one with high probability. Each
 * band is one small integer (the band's number mixed in, 30 bits so it stays an unboxed key).
 */
function bandsOf(signature: Uint32Array): number[] {
  const bands: number[] = [];
  for (let b = 0; b + 3 < signature.length; b += 4)
    bands.push(
      fmix32(
        signature[b]! ^
          Math.imul(signature[b + 1]!, 31) ^
          Math.imul(signature[b + 2]!, 961) ^
          Math.imul(signature[b + 3]!, 29791) ^
          Math.imul(b + 1, 0x9e3779b1),
      ) & 0x3fffffff,
    );
  return bands;
}

/** A post's weighted terms, services, symptoms and MinHash signature. */
export function featuresOf(
  text: string,
  services: ReadonlySet<string> = new Set(DEFAULT_SERVICES),
  known: (word: string) => boolean = () => false,
): Features {
  const terms = new Map<string, number>();
  const put = (term: string, weight: number): void => {
    terms.set(term, Math.max(terms.get(term) ?? 0, weight));
  };
  let rest = text.replace(/https?:\/\/([^\s/?#]+)[^\s]*/gi, (_, host: string) => {
    put(`url:${host.toLowerCase().replace(/^www\./, '')}`, 3);
    return ' ';
  });
  rest = rest.replace(/(^|\s)@([\w.]+(?:@[\w.-]+)?)/g, (_, space: string, handle: string) => {
    put(`@${handle.toLowerCase()}`, 2);
    return space;
  });
  const named = namedSubjects(rest.replace(/#\w+/g, ' '));
  rest = rest.replace(/#(\w+)/g, (_, tag: string) => {
    put(`#${tag.toLowerCase()}`, 3);
    return ` ${tag} `;
  });
  // Subjects keep their own spelling ("canvas", "payments"); other words are stemmed.
  const words = (
    rest
      .toLowerCase()
      .replace(/[’']/g, '')
      .match(/[a-z0-9]+(?:-[a-z0-9]+)*/g) ?? []
  ).map((word) => (services.has(word) || named.has(word) || known(word) ? word : stem(word)));
  const foundServices = new Set<string>();
  const foundSymptoms = new Set<string>();
  for (const word of words) {
    if (services.has(word) || named.has(word) || known(word)) {
      foundServices.add(word);
      put(`svc:${word}`, 3);
    } else if (SYMPTOMS.has(word)) {
      foundSymptoms.add(word);
      put(`sym:${word}`, 0.5);
    } else if (!STOPWORDS.has(word) && word.length > 1) put(word, 1);
  }
  return {
    terms,
    services: [...foundServices],
    symptoms: [...foundSymptoms],
    signature: words.length >= 5 ? minhash(words) : null,
  };
}

/** Words that follow a product's name at the start of a report: "Canvas is down", "Zoom keeps crashing". */
const REPORT_VERBS = new Set([
  'is',
  'was',
  'are',
  'keeps',
  'kept',
  'not',
  'wont',
  'isnt',
  'has',
  'just',
  'still',
  'seems',
]);

/**
 * The products a post names by their own name: acronyms (VPN, SSO) and capitalised words inside a
 * sentence ("the Moodle site"), or opening one before a report verb or symptom ("Canvas is down").
 * Lower-cased, not stemmed.
 */
function namedSubjects(text: string): Set<string> {
  const found = new Set<string>();
  for (const sentence of text.split(/[.!?;:\n]+\s*/)) {
    const tokens = sentence.replace(/[’']/g, '').match(/[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*/g) ?? [];
    tokens.forEach((token, i) => {
      const word = token.toLowerCase();
      if (STOPWORDS.has(word) || SYMPTOMS.has(word) || word.length < 2) return;
      const acronym = /^[A-Z]{2,6}s?$/.test(token);
      const capitalised = /^[A-Z][a-z0-9]/.test(token) || /^[a-z]+[A-Z]/.test(token);
      if (acronym || (capitalised && i > 0)) found.add(word);
      else if (capitalised && i === 0) {
        const next = tokens[1]?.toLowerCase();
        if (next && (REPORT_VERBS.has(next) || SYMPTOMS.has(next))) found.add(word);
      }
    });
  }
  return found;
}

function stem(word: string): string {
  if (word.length > 4 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

function minhash(words: readonly string[]): Uint32Array {
  const signature = new Uint32Array(HASHES).fill(0xffffffff);
  for (let i = 0; i + 2 < words.length; i += 1) {
    const base = fnv1a(`${words[i]} ${words[i + 1]} ${words[i + 2]}`);
    for (let h = 0; h < HASHES; h += 1) {
      const value = fmix32(base ^ SEEDS[h]!);
      if (value < signature[h]!) signature[h] = value;
    }
  }
  return signature;
}

function similarity(a: Uint32Array, b: Uint32Array): number {
  let same = 0;
  for (let i = 0; i < a.length; i += 1) if (a[i] === b[i]) same += 1;
  return same / a.length;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
