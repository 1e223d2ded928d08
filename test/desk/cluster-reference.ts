/**
 * A plain reference for the clusterer's rules, for tests: every structure is a map or a set keyed
 * by strings and cluster ids (no slots, no interned ids, no typed arrays), scoring reads the
 * cluster's maps. Same rules as `Clusterer` in `src/desk/cluster.ts`; only the data layout differs,
 * so the two must put every post in the same cluster.
 */
import {
  addToCluster,
  DEFAULT_SERVICES,
  featuresOf,
  SALIENT_SHARE,
  type Cluster,
  type ClusterPost,
  type Features,
} from '../../src/desk/cluster.js';
import { fmix32 } from '../../src/domain/hash.js';

export interface ReferenceOptions {
  readonly windowMinutes?: number;
  readonly maxClusters?: number;
  readonly genericClusters?: number;
  readonly maxCandidates?: number;
}

export class ReferenceClusterer {
  readonly #window: number;
  readonly #max: number;
  readonly #generic: number;
  readonly #most: number;
  readonly #services = new Set<string>(DEFAULT_SERVICES);
  /** Live clusters, least recently joined first. */
  readonly #clusters = new Map<number, Cluster>();
  /** Term → ids of the clusters holding it; band → ids, both in the order they took it. */
  readonly #index = new Map<string, Set<number>>();
  readonly #bands = new Map<number, Set<number>>();
  #nextId = 1;

  constructor(options: ReferenceOptions = {}) {
    this.#window = (options.windowMinutes ?? 180) * 60_000;
    this.#max = options.maxClusters ?? 5000;
    this.#generic = options.genericClusters ?? 64;
    this.#most = options.maxCandidates ?? 8;
  }

  get size(): number {
    return this.#clusters.size;
  }

  assign(post: ClusterPost): Cluster {
    for (const cluster of this.#clusters.values()) {
      if (cluster.lastAt >= post.at - this.#window) break;
      this.#remove(cluster);
    }
    const features = featuresOf(post.text, this.#services, (word) => this.#index.has(`svc:${word}`));
    // Candidates: band holders, then subject holders, then the other terms' holders, rarest first.
    const lists: Set<number>[] = [];
    const bands = features.signature ? bandsOf(features.signature) : [];
    for (const band of bands) lists.push(this.#bands.get(band) ?? new Set());
    const bandLists = lists.length;
    for (const subject of features.services) lists.push(this.#index.get(`svc:${subject}`) ?? new Set());
    const rest = [...features.terms.keys()]
      .filter((term) => !term.startsWith('sym:') && !term.startsWith('svc:'))
      .map((term) => this.#index.get(term) ?? new Set<number>());
    lists.push(...rest.sort((a, b) => a.size - b.size));
    const candidates = new Map<number, boolean>();
    search: for (let i = 0; i < lists.length; i += 1) {
      if (lists[i]!.size > this.#generic) continue;
      for (const id of lists[i]!) {
        if (i < bandLists || !candidates.has(id)) candidates.set(id, i < bandLists);
        if (candidates.size >= this.#most) break search;
      }
    }
    let best: Cluster | null = null;
    let bestScore = 0;
    for (const [id, viaBand] of candidates) {
      const cluster = this.#clusters.get(id)!;
      const score = scoreOf(features, cluster, viaBand);
      if (score > bestScore) {
        best = cluster;
        bestScore = score;
      }
    }
    let cluster = best;
    if (!cluster) {
      if (this.#clusters.size >= this.#max) this.#remove(this.#clusters.values().next().value!);
      cluster = {
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
        firstAt: post.at,
        lastAt: post.at,
        incidentId: null,
      };
    }
    addToCluster(post.at, cluster, features, post.author, post.report ?? true, post.id);
    cluster.lastAt = Math.max(cluster.lastAt, post.at);
    this.#clusters.delete(cluster.id);
    this.#clusters.set(cluster.id, cluster);
    const signature = features.signature;
    if (
      signature &&
      cluster.signatures.length < 8 &&
      !cluster.signatures.some((kept) => similarity(kept, signature) >= 0.6)
    ) {
      cluster.signatures.push(signature);
      for (const band of bands) holders(this.#bands, band).add(cluster.id);
    }
    for (const term of features.terms.keys())
      if (cluster.docFreq.get(term) === 1) holders(this.#index, term).add(cluster.id);
    if (cluster.docFreq.size > 600 && cluster.size > 20)
      for (const [term, count] of cluster.docFreq)
        if (count === 1) {
          cluster.docFreq.delete(term);
          drop(this.#index, term, cluster.id);
        }
    return cluster;
  }

  #remove(cluster: Cluster): void {
    this.#clusters.delete(cluster.id);
    for (const term of cluster.docFreq.keys()) drop(this.#index, term, cluster.id);
    for (const signature of cluster.signatures)
      for (const band of bandsOf(signature)) drop(this.#bands, band, cluster.id);
  }
}

/** The clusterer's scoring rules, read straight from the cluster's maps. */
function scoreOf(features: Features, cluster: Cluster, nearDuplicateCheck: boolean): number {
  const salient = Math.max(1, cluster.size * SALIENT_SHARE);
  const named = features.services.filter((subject) => (cluster.subjects.get(subject) ?? 0) >= salient);
  const postOnly = named.length < features.services.length;
  const clusterOnly = [...cluster.subjects].some(
    ([subject, n]) => n >= salient && !features.services.includes(subject),
  );
  if (postOnly && clusterOnly) return 0;
  if (
    nearDuplicateCheck &&
    features.signature &&
    cluster.signatures.some((kept) => similarity(kept, features.signature!) >= 0.6)
  )
    return 1;
  const floor = Math.max(1, cluster.size * 0.05);
  if (features.symptoms.length === 0 || Math.max(0, ...cluster.symptoms.values()) < floor) return 0;
  const sharesSymptom = features.symptoms.some((symptom) => (cluster.symptoms.get(symptom) ?? 0) >= floor);
  let shared = 0;
  let total = 0;
  for (const [term, weight] of features.terms) {
    total += weight;
    shared += weight * Math.min(1, (cluster.docFreq.get(term) ?? 0) / Math.max(1, cluster.size * 0.25));
  }
  const overlap = total === 0 ? 0 : shared / total;
  if (named.length > 0) return 0.5 + overlap / 2;
  if (!sharesSymptom) return 0;
  return overlap >= 0.3 ? overlap : 0;
}

function holders<K>(index: Map<K, Set<number>>, key: K): Set<number> {
  const set = index.get(key) ?? new Set<number>();
  index.set(key, set);
  return set;
}

function drop<K>(index: Map<K, Set<number>>, key: K, id: number): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(id);
  if (set.size === 0) index.delete(key);
}

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

function similarity(a: Uint32Array, b: Uint32Array): number {
  let same = 0;
  for (let i = 0; i < a.length; i += 1) if (a[i] === b[i]) same += 1;
  return same / a.length;
}
