/**
 * The oracle for any faster clusterer (issue 11's flat cost per post): the clusterer decides as a
 * plain map-based reference of the same rules does. Real post sequences go through both
 * (`cluster-reference.ts`), and every post must land in the same cluster with the same size.
 * Real traffic: the CrisisLexT26 timelines at their real arrival times and complaint tweets
 * (`../shared/data`; skipped with a reason when absent, failing under CI=true). A synthetic
 * sequence, always run, covers what the real data may not reach: clusters with more salient
 * subjects than a compact layout would keep inline, and the vocabulary bound of big clusters.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Clusterer, type ClusterOptions, type ClusterPost } from '../../src/desk/cluster.js';
import { ReferenceClusterer } from './cluster-reference.js';
import { sharedPath, sharedSkip } from '../helpers/shared.js';
import { parseCsv } from '../../bench/support-kinds.js';

interface Run {
  readonly clusters: number;
  readonly joined: number;
  readonly mostSalient: number;
  readonly biggest: number;
}

function sameAssignments(posts: readonly ClusterPost[], options: ClusterOptions): Run {
  const clusterer = new Clusterer(options);
  const reference = new ReferenceClusterer(options);
  let clusters = 0;
  let joined = 0;
  let mostSalient = 0;
  let biggest = 0;
  for (const post of posts) {
    const got = clusterer.assign(post);
    const want = reference.assign(post);
    if (got.id !== want.id || got.size !== want.size || clusterer.size !== reference.size)
      assert.fail(
        `post ${post.id}: cluster ${got.id} (size ${got.size}, ${clusterer.size} live) but the reference says ${want.id} (size ${want.size}, ${reference.size} live): ${post.text}`,
      );
    clusters = Math.max(clusters, got.id);
    if (got.size > 1) joined += 1;
    mostSalient = Math.max(mostSalient, got.salient.size);
    biggest = Math.max(biggest, got.size);
  }
  return { clusters, joined, mostSalient, biggest };
}

describe('clusterer against the plain reference', () => {
  test('synthetic: many salient subjects, big clusters over the vocabulary bound, eviction', () => {
    const at = Date.parse('2026-11-21T09:00:00Z');
    const subjects = 'VPN SSO Canvas Moodle Zoom Outlook Banner Workday';
    const posts: ClusterPost[] = [];
    let id = 0;
    for (let i = 0; i < 120; i += 1) {
      // Eight subjects in one post (more than a compact layout keeps inline), and 30 words no other post uses.
      const unique = Array.from({ length: 30 }, (_, w) => `w${i}x${w}`).join(' ');
      posts.push({ id: ++id, text: `${subjects} down again ${unique}`, at: at + i * 1000, author: `a${i % 40}` });
      if (i % 3 === 0)
        posts.push({
          id: ++id,
          text: `Canvas is down, error ${i} on every course page ${unique}`,
          at: at + i * 1000,
          author: `c${i}`,
        });
      if (i % 5 === 0)
        posts.push({
          id: ++id,
          text: `Payroll portal rejects timesheet ${i}`,
          at: at + i * 1000 + 1,
          author: `p${i}`,
          report: i % 2 === 0,
        });
    }
    const { joined, mostSalient, biggest } = sameAssignments(posts, { maxClusters: 20 });
    assert.ok(joined > 100, `${joined} posts joined a cluster`);
    assert.ok(
      mostSalient > 6,
      `a cluster with ${mostSalient} salient subjects (more than a compact layout keeps inline)`,
    );
    // 30 words of its own per post: a cluster past 20 members went over the 600-term bound.
    assert.ok(biggest > 25, `the biggest cluster has ${biggest} members`);
  });

  const timelines = 'data/crisis-timelines';
  const complaints = 'data/complaints-social-media/complaints-data.csv';
  const skip = sharedSkip(timelines) || sharedSkip(complaints);
  test('real crisis timelines and complaint tweets: the same clusters', { skip }, () => {
    const dir = sharedPath(timelines);
    const posts: ClusterPost[] = [];
    let offset = Date.parse('2026-11-21T09:00:00Z');
    // Four events, each at its real arrival times, one after the other; a seventh of the posts are not reports.
    for (const name of readdirSync(dir)
      .filter((file) => file.endsWith('.ndjson'))
      .sort()
      .slice(0, 4)) {
      const rows = readFileSync(join(dir, name), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { text: string; createdAt: string; author: { handle: string } })
        .slice(0, 2500);
      const start = Date.parse(rows[0]!.createdAt);
      for (const row of rows)
        posts.push({
          id: posts.length + 1,
          text: row.text,
          at: offset + Date.parse(row.createdAt) - start,
          author: row.author.handle,
          report: posts.length % 7 !== 0,
        });
      offset = posts[posts.length - 1]!.at + 1;
    }
    for (const row of parseCsv(readFileSync(sharedPath(complaints), 'utf8')).slice(0, 1500)) {
      offset += 2_000;
      posts.push({ id: posts.length + 1, text: row[1]!, at: offset, author: `t${row[0]}` });
    }
    const open = sameAssignments(posts, {});
    const capped = sameAssignments(posts, { maxClusters: 300, windowMinutes: 30 });
    const narrow = sameAssignments(posts, { maxClusters: 1000, genericClusters: 4, maxCandidates: 3 });
    for (const { clusters, joined } of [open, capped, narrow]) {
      assert.ok(joined > 300, `${joined} posts joined a cluster`);
      assert.ok(clusters > 1000, `${clusters} clusters`);
    }
  });
});
