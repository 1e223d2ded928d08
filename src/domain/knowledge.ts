/**
 * The knowledge base's entities: articles (Markdown, every version kept), who may read them
 * (public ones are served without login at `/kb/<slug>`), and the policies people acknowledge.
 */
import type { Role } from './user.js';

export const ARTICLE_VISIBILITIES = ['public', 'internal'] as const;
export type ArticleVisibility = (typeof ARTICLE_VISIBILITIES)[number];

export const ARTICLE_STATUSES = ['draft', 'published'] as const;
export type ArticleStatus = (typeof ARTICLE_STATUSES)[number];

export interface Article {
  readonly id: number;
  readonly slug: string;
  readonly title: string;
  readonly body: string;
  readonly tags: readonly string[];
  readonly visibility: ArticleVisibility;
  readonly status: ArticleStatus;
  readonly version: number;
  readonly authorId: number | null;
  readonly ownerId: number | null;
  /** When the owner should next read it through; past due: listed as overdue. */
  readonly reviewDue: string | null;
  readonly sourceTicketId: number | null;
  readonly views: number;
  readonly helped: number;
  readonly notHelped: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface ArticleVersion {
  readonly version: number;
  readonly title: string;
  readonly body: string;
  readonly authorId: number | null;
  readonly note: string | null;
  readonly createdAt: string;
}

export interface Policy {
  readonly id: number;
  readonly title: string;
  readonly ownerId: number | null;
  readonly audience: Role;
  readonly reviewEveryDays: number;
  readonly createdAt: string;
  /** The latest published version, null before the first. */
  readonly current: PolicyVersion | null;
  /** When the current version is due for review (published + review cycle). */
  readonly reviewDue: string | null;
}

export interface PolicyVersion {
  readonly id: number;
  readonly policyId: number;
  readonly version: number;
  readonly body: string;
  readonly authorId: number | null;
  readonly publishedAt: string;
}

/** A URL-safe slug from a title: lower case, words joined by hyphens, at most 80 characters. */
export function slugOf(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/, '');
  return slug || 'article';
}

/** The slugs of articles a text links to as `/kb/<slug>` (absolute or relative URLs). */
export function linkedSlugs(text: string): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(/\/kb\/([a-z0-9][a-z0-9-]{0,79})/g)) found.add(match[1]!);
  return [...found];
}
