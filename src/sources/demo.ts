/**
 * The demo source: a synthetic, clearly labelled stream about a fictional organisation
 * ("Northwind University IT", @northwind_it, #NorthwindIT) so `npm start` shows a living desk
 * with no network. Every post has source `demo`, handles under example.org, and
 * `extra.synthetic = true`. It backfills the last day (so Pulse has history), then posts every
 * few seconds, with a small outage burst now and then. Ids are derived from time slots and the
 * cursor is the last slot handed over, so a restart replays nothing twice.
 */
import type { PostDraft } from '../domain/post.js';
import { Type, type Static } from '@sinclair/typebox';
import { fnv1a as hash } from '../domain/hash.js';
import { jsonCursor, type Source, type SourceDefinition } from './source.js';
import { sourceCapabilities } from '../domain/source.js';

export interface DemoOptions {
  /** Seconds between live posts. */
  readonly intervalSeconds?: number;
  /** Hours of history to backfill on start. */
  readonly backfillHours?: number;
  /** Minutes between outage bursts. */
  readonly burstEveryMinutes?: number;
  /** Minutes between posts from a fake "support" account that phishes for passwords (0: never). */
  readonly scamEveryMinutes?: number;
  /** The configured source name the posts carry. */
  readonly name?: string;
}

/** A look-alike of @northwind_it asking for credentials on a look-alike domain: what the scam watch is for. */
const SCAMMER = ['northwind_it_support', 'Northwind IT Support', 38] as const;
const SCAM = [
  'Hi! We saw your issue. To restore access please verify your login and password here: https://northwind.example.account-verify.io/login',
  'Portal outage: students must re-confirm their password and card number at https://northwind.example.account-verify.io to keep access',
] as const;

const PEOPLE = [
  ['ana', 'Ana Costa', 420],
  ['ben', 'Ben Okafor', 95],
  ['chen', 'Chen Wei', 2300],
  ['dara', 'Dara Byrne', 60],
  ['eli', 'Eli Navarro', 880],
  ['fatma', 'Fatma Yilmaz', 150],
  ['gus', 'Gus Lindqvist', 12000],
  ['hana', 'Hana Sato', 310],
  ['ivo', 'Ivo Petrov', 45],
  ['jo', 'Jo Mensah', 1900],
  ['kai', 'Kai Müller', 230],
  ['lea', 'Léa Martin', 780],
] as const;

const EVERYDAY = [
  'Thanks @northwind_it for sorting out my laptop so quickly, you are stars! #NorthwindIT',
  'How do I connect my phone to the eduroam wifi? The guide link seems old. @northwind_it',
  'Could someone at @northwind_it please reset my password? I am locked out after the holiday.',
  'The new printing system in the library is great, much faster than before #NorthwindIT',
  'Still waiting three days for a reply about my software licence request @northwind_it :(',
  'Is there a way to get more storage on my university OneDrive? @northwind_it',
  'Big thanks to the helpdesk team for the patient help with my thesis backup #NorthwindIT',
  'I need access to the research cluster for my project, who do I ask? @northwind_it',
  'Honestly the worst experience with @northwind_it, nobody answers the phone. Terrible.',
  'Lovely workshop on password managers today, thanks #NorthwindIT',
  'Please add the statistics package to the lab machines in room B12 @northwind_it',
  'Why does the VPN ask me to log in twice every morning? @northwind_it',
  'Le wifi de la bibliothèque marche très bien aujourd’hui, merci @northwind_it',
  'Kann mir jemand sagen, wie ich mein Passwort ändere? @northwind_it',
] as const;

const OUTAGE = [
  'Is the student portal down for everyone? Can’t log in at all @northwind_it #NorthwindIT',
  'Portal not working again, exam submission due in an hour!! @northwind_it',
  'Getting a 500 error on the student portal. Is it just me? #NorthwindIT',
  'Student portal is down and nobody is saying anything @northwind_it :(',
  'The portal won’t load, login page just spins. Outage? #NorthwindIT',
  'portal down AGAIN. this is ridiculous @northwind_it',
] as const;

export type DemoSource = Source<DemoCursor> & Required<Pick<Source<DemoCursor>, 'poll' | 'send'>>;

/** The demo's cursor: the time slot (ms since the epoch) of the last live post handed over. */
const DemoCursor = Type.Integer({ minimum: 0 });
type DemoCursor = Static<typeof DemoCursor>;
// Earlier versions saved `String(at)`, which is this JSON.
const DEMO_CURSOR = jsonCursor(DemoCursor);
const SLOT_MS = 5 * 60_000;

export function createDemoSource(options: DemoOptions = {}): DemoSource {
  const intervalMs = (options.intervalSeconds ?? 4) * 1000;
  const backfillMs = (options.backfillHours ?? 24) * 3600e3;
  const burstEvery = options.burstEveryMinutes ?? 10;
  const scamEvery = options.scamEveryMinutes ?? 180;
  const name = options.name ?? 'demo';

  /** The posts of one live slot: bursts, for the first minute of every `burstEvery` minutes, pile up reports of one outage. */
  function livePosts(at: number): PostDraft[] {
    const inBurst = Math.floor(at / 60_000) % burstEvery === 0;
    const drafts = inBurst ? [outagePost(at, 0), outagePost(at, 1)] : [everydayPost(at)];
    if (scamEvery > 0 && at % (scamEvery * 60_000) === 0) drafts.push(scamPost(at));
    return drafts;
  }

  return {
    kind: 'demo',
    capabilities: DEMO_CAPABILITIES,
    cursor: DEMO_CURSOR,
    pollIntervalMs: intervalMs,
    async poll(cursor, context) {
      const now = context.clock().getTime();
      const live = Math.floor(now / intervalMs) * intervalMs;
      const drafts: PostDraft[] = [];
      let from = cursor === null ? live : cursor + intervalMs;
      // A first start, or one after a long pause, backfills the history so Pulse has something to show.
      if (cursor === null || live - cursor > SLOT_MS) {
        const first =
          cursor === null || cursor < now - backfillMs
            ? Math.floor((now - backfillMs) / SLOT_MS) * SLOT_MS
            : Math.floor(cursor / SLOT_MS) * SLOT_MS + SLOT_MS;
        for (let at = first; at < now - SLOT_MS; at += SLOT_MS) {
          drafts.push(everydayPost(at));
          if (scamEvery > 0 && at % (scamEvery * 60_000) === 0) drafts.push(scamPost(at));
        }
        // Live posts start with the next slot.
        from = live + intervalMs;
      }
      for (let at = from; at <= live; at += intervalMs) drafts.push(...livePosts(at));
      return { drafts: drafts.map((draft) => ({ ...draft, source: name })), next: Math.max(live, cursor ?? 0) };
    },
    async send(reply) {
      // The demo channel has no remote end: the reply is "sent" to nobody, with a stable id.
      return { remoteId: `demo-reply-${hash(reply.body + (reply.inReplyTo ?? ''))}`, remoteUrl: null };
    },
  };
}

function everydayPost(at: number): PostDraft {
  const seed = hash(String(at));
  const person = PEOPLE[seed % PEOPLE.length]!;
  const text = EVERYDAY[Math.floor(seed / 7) % EVERYDAY.length]!;
  return draft(`demo-${at}`, at, person, text, seed);
}

function outagePost(at: number, index: number): PostDraft {
  const seed = hash(`${at}:${index}`);
  const person = PEOPLE[seed % PEOPLE.length]!;
  return draft(`demo-${at}-${index}`, at + index * 1000, person, OUTAGE[Math.floor(seed / 11) % OUTAGE.length]!, seed);
}

function scamPost(at: number): PostDraft {
  const seed = hash(`scam:${at}`);
  const post = draft(`demo-${at}-scam`, at + 2000, SCAMMER, SCAM[seed % SCAM.length]!, seed);
  return {
    ...post,
    author: { ...post.author, handle: `@${SCAMMER[0]}@example.net` },
    metrics: { likes: 0, reposts: 0, replies: 0 },
  };
}

function draft(
  id: string,
  at: number,
  person: readonly [string, string, number],
  text: string,
  seed: number,
): PostDraft {
  const [user, name, followers] = person;
  return {
    source: 'demo',
    externalId: id,
    author: { handle: `@${user}@example.org`, name, followers, following: 100 + (seed % 300) },
    text,
    url: `https://example.org/@${user}/${id}`,
    createdAt: new Date(at).toISOString(),
    inReplyTo: null,
    metrics: { likes: seed % 9, reposts: seed % 4, replies: seed % 3 },
    extra: { synthetic: true, note: 'Earshot demo data about a fictional organisation' },
  };
}

/** What the demo channel can do, the same for every source of this kind. */
export const DEMO_CAPABILITIES = sourceCapabilities({
  canReplyPublicly: true,
  canDirectMessage: true,
  maxReplyLength: 1000,
});

export const demoSourceDefinition = {
  capabilities: DEMO_CAPABILITIES,
  kind: 'demo',
  label: 'Demo (synthetic)',
  description: 'A synthetic stream about a fictional organisation, for trying the desk with no network.',
  options: Type.Object(
    {
      intervalSeconds: Type.Optional(Type.Number({ minimum: 0.1, maximum: 3600 })),
      backfillHours: Type.Optional(Type.Number({ minimum: 0, maximum: 24 * 14 })),
      burstEveryMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440 })),
      scamEveryMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 10080 })),
    },
    { additionalProperties: false },
  ),
  secrets: [],
  create: (options: DemoOptions, environment) => createDemoSource({ ...options, name: environment.name }),
} satisfies SourceDefinition;
