/**
 * One status update, every reporter answered: from an incident update, a proposed reply per
 * reporter, written as a person would: their name, what they ran into, when, then the update,
 * in small variations so no two replies are the same text. Each passes the guideline check or
 * says why not; a person approves the batch (`src/desk/incident-desk.ts`). Pure.
 *
 * - Public reply, or private message only to people who wrote to us and on channels that can.
 * - A post holding personal data is never echoed; the reply asks them to remove it.
 * - One reply per reporter per update (their latest post), spread out to respect each
 *   channel's per-account rate limit (`sendAfter`).
 */
import type { ReplyVisibility } from '../domain/ticket.js';
import { fnv1a } from '../domain/hash.js';
import { checkReply, detectPersonalData, replyLimit } from './guideline.js';
import { DEFAULT_GUIDELINE_RULES, type Finding, type GuidelineRules } from '../domain/guideline.js';
import { DEFAULT_CHANNEL_POLICY, type ChannelPolicy } from './channels.js';

export interface ReporterPost {
  readonly postId: number;
  readonly source: string;
  readonly externalId: string;
  readonly authorHandle: string;
  readonly authorName: string | null;
  readonly text: string;
  readonly createdAt: string;
  /** They addressed us directly (a DM, or a post to our account): a private reply is welcome. */
  readonly wroteToUs: boolean;
}

export interface ProposeOptions {
  readonly kind?: 'status' | 'closing';
  readonly rules?: GuidelineRules;
  /** Each post source's channel (by the source's kind); a source missing here gets `DEFAULT_CHANNEL_POLICY`. */
  readonly channels?: Readonly<Record<string, ChannelPolicy>>;
  readonly now?: Date;
}

export interface ProposedReply {
  readonly postId: number;
  readonly source: string;
  readonly recipient: string;
  readonly inReplyTo: string;
  readonly visibility: ReplyVisibility;
  readonly body: string;
  readonly ok: boolean;
  readonly findings: Finding[];
  readonly guidelineVersion: number;
  readonly sendAfter: string;
}

export interface Skipped {
  readonly postId: number;
  readonly reason: string;
}

export function proposeReplies(
  update: string,
  posts: readonly ReporterPost[],
  options: ProposeOptions = {},
): { proposals: ProposedReply[]; skipped: Skipped[] } {
  const rules = options.rules ?? DEFAULT_GUIDELINE_RULES;
  const now = options.now ?? new Date();
  const kind = options.kind ?? 'status';
  const skipped: Skipped[] = [];
  const latest = new Map<string, ReporterPost>();
  for (const post of posts) {
    const key = `${post.source}\u0000${post.authorHandle}`;
    const seen = latest.get(key);
    if (seen && seen.createdAt >= post.createdAt)
      skipped.push({ postId: post.postId, reason: 'an earlier post by a reporter who gets a reply to their latest' });
    else {
      if (seen)
        skipped.push({ postId: seen.postId, reason: 'an earlier post by a reporter who gets a reply to their latest' });
      latest.set(key, post);
    }
  }
  const used = new Set<string>();
  const sentPerChannel = new Map<string, number>();
  const proposals: ProposedReply[] = [];
  for (const post of [...latest.values()].sort(
    (a, b) => a.createdAt.localeCompare(b.createdAt) || a.postId - b.postId,
  )) {
    const channel = channelFor(options.channels, post.source);
    const channelKind = channel.kind ?? post.source;
    const holdsPersonalData = detectPersonalData(post.text, rules.personalData, rules.allowList).length > 0;
    const visibility: ReplyVisibility | null =
      holdsPersonalData && post.wroteToUs && channel.canDirectMessage
        ? 'private'
        : channel.canReplyPublicly
          ? 'public'
          : post.wroteToUs && channel.canDirectMessage
            ? 'private'
            : null;
    if (visibility === null) {
      const reason =
        channel.canReplyPublicly || channel.canDirectMessage
          ? 'allows no public reply and they never wrote to us'
          : 'takes no replies';
      skipped.push({ postId: post.postId, reason: `${post.source} ${reason}` });
      continue;
    }
    const limit = replyLimit(rules, channelKind, channel.maxReplyLength);
    let body = '';
    // Walk the variations from a per-reporter starting point until the text is new and fits.
    const seed = fnv1a(`${post.source}:${post.authorHandle}:${post.postId}`) % 100_000;
    for (let attempt = 0; attempt < 60; attempt += 1) {
      const candidate = compose(update, post, {
        kind,
        visibility,
        holdsPersonalData,
        variant: seed + attempt,
        brief: attempt >= 30,
      });
      if (candidate.length <= limit && !used.has(normalise(candidate))) {
        body = candidate;
        break;
      }
      body = candidate;
    }
    const check = checkReply(
      { body, channel: channelKind, maxLength: channel.maxReplyLength, visibility, recipientWroteToUs: post.wroteToUs },
      rules,
    );
    const findings = [...check.findings];
    if (used.has(normalise(body)))
      findings.push({ rule: 'identical', level: 'block', message: 'The same text already goes to another reporter' });
    used.add(normalise(body));
    const index = sentPerChannel.get(post.source) ?? 0;
    sentPerChannel.set(post.source, index + 1);
    proposals.push({
      postId: post.postId,
      source: post.source,
      recipient: post.authorHandle,
      inReplyTo: post.externalId,
      visibility,
      body,
      ok: !findings.some((finding) => finding.level === 'block'),
      findings,
      guidelineVersion: check.version,
      sendAfter: new Date(now.getTime() + Math.floor(index / Math.max(1, channel.maxPerMinute)) * 60_000).toISOString(),
    });
  }
  return { proposals, skipped };
}

function channelFor(channels: ProposeOptions['channels'], source: string): ChannelPolicy {
  return channels && Object.hasOwn(channels, source) ? channels[source]! : DEFAULT_CHANNEL_POLICY;
}

const GREETINGS = [
  'Hi {name},',
  'Hello {name},',
  '{name}, thanks for letting us know.',
  'Thanks for flagging this, {name}.',
  'Hi {name}, thanks for reporting this.',
  '{name}, thank you for telling us.',
  'Hi {name} —',
];
const SORRY = [
  'Sorry about {what}{when}.',
  'We’re sorry about {what}{when}.',
  'Apologies for {what}{when}.',
  'Sorry you ran into {what}{when}.',
];
const SORRY_MINE = ['Sorry this got in the way of your {mine}{when}.', 'Sorry this held up your {mine}{when}.'];
const CLOSINGS_STATUS = [
  'We’ll keep you posted.',
  'We’ll update you here as soon as we know more.',
  'Thanks for your patience.',
  'More as soon as we have it.',
  'We’ll follow up when it’s fixed.',
  '',
];
const CLOSINGS_CLOSING = [
  'Let us know if anything still looks wrong.',
  'If it still misbehaves for you, tell us here.',
  'Thanks for your patience while we fixed it.',
  'Thanks for bearing with us.',
  '',
];
const PRIVACY = [
  'Your post includes personal details: you may want to delete it and send them to us privately instead.',
  'Please remove the personal details from your post; we never need them in public.',
];

function compose(
  update: string,
  post: ReporterPost,
  o: {
    kind: 'status' | 'closing';
    visibility: ReplyVisibility;
    holdsPersonalData: boolean;
    variant: number;
    brief: boolean;
  },
): string {
  const name = nameOf(post);
  const pick = <T>(list: readonly T[], salt: number): T =>
    list[(o.variant * 7 + salt * 13 + Math.floor(o.variant / list.length)) % list.length]!;
  // Never build on a post that holds personal data: "sorry about your card" repeats it.
  const mine = o.brief || o.holdsPersonalData ? null : mineOf(post.text);
  const when = whenOf(post.createdAt);
  const sorry = mine
    ? pick(SORRY_MINE, 2).replace('{mine}', mine)
    : pick(SORRY, 2).replace('{what}', symptomOf(post.text));
  const parts = [
    o.visibility === 'public' ? `@${post.authorHandle.replace(/^@/, '')}` : '',
    pick(GREETINGS, 1).replace('{name}', name),
    o.kind === 'closing' && !o.brief
      ? sorry
          .replace(/^(Sorry|We’re sorry|Apologies)/, 'Sorry again')
          .replace('Sorry again you ran into', 'Sorry again that you ran into')
      : o.brief
        ? ''
        : sorry,
    update.trim(),
    o.holdsPersonalData && o.visibility === 'public' ? pick(PRIVACY, 3) : '',
    o.brief ? '' : pick(o.kind === 'closing' ? CLOSINGS_CLOSING : CLOSINGS_STATUS, 4),
  ];
  return parts
    .filter((part) => part !== '')
    .join(' ')
    .replace('{when}', when ? ` ${when}` : '')
    .replace(/\s+/g, ' ')
    .trim();
}

function nameOf(post: ReporterPost): string {
  const first = post.authorName?.trim().split(/\s+/)[0];
  if (first && /^\p{L}[\p{L}'’-]*$/u.test(first)) return first;
  return post.authorHandle.replace(/^@/, '').split('@')[0]!;
}

/** What they ran into, in their terms: the thing behind "my …" ("your timesheet"). */
function mineOf(text: string): string | null {
  const match = /\bmy ([a-z]{4,}(?: [a-z]{4,})?)/i.exec(text);
  if (!match) return null;
  const words = match[1]!.toLowerCase().split(' ');
  // Stop before a verb-ish second word ("my timesheet keeps…").
  return words.length > 1 && /(?:s|ed|ing)$/.test(words[1]!) ? words[0]! : words.join(' ');
}

function symptomOf(text: string): string {
  const lower = text.toLowerCase();
  const code = /\b(5\d\d|4\d\d)\b/.exec(lower);
  if (code) return `the ${code[1]} error`;
  if (/(can[’']?t|cannot|unable to|couldn[’']?t)\s+(log|sign)\s*-?\s*in|login/.test(lower))
    return 'the trouble logging in';
  if (/slow|loading|spinning|timeout|timed out/.test(lower)) return 'the slow loading';
  if (/crash/.test(lower)) return 'the crashes';
  if (/down|outage|offline|unavailable/.test(lower)) return 'the outage';
  return 'the disruption';
}

function whenOf(createdAt: string): string {
  const hour = new Date(createdAt).getUTCHours();
  if (Number.isNaN(hour)) return '';
  if (hour < 5) return 'overnight';
  if (hour < 12) return 'this morning';
  if (hour < 17) return 'this afternoon';
  if (hour < 21) return 'this evening';
  return 'tonight';
}

function normalise(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}
