/** 200 people reporting one portal outage, each in their own words, and some unrelated posts. */
import type { NewPost } from '../../src/store/posts.js';
import { newPost } from '../helpers/posts.js';

const OPENINGS = [
  'The Northwind portal is down again',
  'Is the portal down for anyone else?',
  'Portal not working, getting a 500 error',
  'Can’t log in to the portal at all',
  'portal keeps timing out when I try to sign in',
  'Northwind portal just shows a blank page and error 503',
  'The staff portal crashed on me',
  'Anyone else getting 500 errors on the portal?',
  'Portal login broken since this morning',
  'The portal won’t load, stuck spinning',
];
const CONTEXTS = [
  'was trying to submit my timesheet',
  'need to download my payslip',
  'my leave request is due today',
  'trying to book a meeting room',
  'have to approve invoices before noon',
  'can’t reach my expense report',
  'students can’t see their grades',
  'my shift swap is stuck',
  '',
  'tried three browsers',
];
const ENDINGS = [
  '#NorthwindIT',
  '@northwind_it please fix',
  'help!',
  'ugh',
  '#outage',
  '',
  'any ETA?',
  'this is the second time this week',
  'seriously?',
  '😩',
];

export function outageReports(count: number, start: Date): NewPost[] {
  return Array.from({ length: count }, (_, i) => {
    const text = [OPENINGS[i % 10], CONTEXTS[Math.floor(i / 10) % 10], ENDINGS[(i * 7) % 10]]
      .filter(Boolean)
      .join(' — ');
    return newPost({
      externalId: `outage-${i}`,
      author: {
        handle: `@reporter${i}@example.social`,
        name: i % 3 === 0 ? `Reporter ${i}` : `Alex${i} Smith`,
        followers: 10,
        following: 5,
      },
      text,
      createdAt: new Date(start.getTime() + i * 1_500).toISOString(),
      sentiment: 'negative',
      sentimentScore: -0.6,
      kind: 'outage',
    });
  });
}

export const UNRELATED_COMPLAINTS = [
  'Billing charged me twice this month, really disappointed with Northwind',
  'The portal’s new design is ugly and confusing #NorthwindIT',
  'The VPN is down again, cannot connect from home',
];
