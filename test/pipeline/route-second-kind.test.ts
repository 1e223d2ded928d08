import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileStreams, route } from '../../src/pipeline/route.js';
import { DEFAULT_SLA, DEFAULT_TICKET_RULES, type Stream } from '../../src/domain/stream.js';
import type { AnalysedDraft } from '../../src/pipeline/analyze.js';

const stream: Stream = {
  id: 1,
  name: 'all',
  query: 'vpn',
  ticketRules: [...DEFAULT_TICKET_RULES],
  sla: DEFAULT_SLA,
  createdAt: '2026-12-01T00:00:00Z',
};
const post = (extra: Partial<AnalysedDraft>): AnalysedDraft =>
  ({
    source: 'demo',
    externalId: 'x',
    author: { handle: '@a', name: null },
    text: 'is the vpn down?',
    url: null,
    createdAt: '2026-12-01T00:00:00Z',
    inReplyTo: null,
    metrics: {},
    extra: {},
    sentiment: 'neutral',
    sentimentScore: 0,
    kind: 'question',
    lang: 'en',
    models: [],
    ...extra,
  }) as unknown as AnalysedDraft;

test('a question whose confident second kind is outage raises an incident, a faint one does not', () => {
  const streams = compileStreams([stream]);
  const now = new Date('2026-12-01T00:00:00Z');
  const [confident] = route([post({ secondKind: 'outage', secondKindConfidence: 0.32 })], streams, now);
  assert.equal(confident!.ticket?.type, 'incident');
  assert.equal(confident!.ticket?.priority, 'high');
  const [faint] = route([post({ secondKind: 'outage', secondKindConfidence: 0.1 })], streams, now);
  assert.equal(faint!.ticket?.type, 'question');
});
