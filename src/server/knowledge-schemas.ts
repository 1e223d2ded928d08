/**
 * Wire shapes of the knowledge base, policies and belt ladder, registered by `$id` with the
 * other shared schemas (OpenAPI components). Their own file so the shared `schemas.ts` only
 * gains one import line's worth of change.
 */
import { type Static, type TSchema, type TUnsafe, Type } from '@sinclair/typebox';
import { ARTICLE_STATUSES, ARTICLE_VISIBILITIES } from '../domain/knowledge.js';
import { HELD_REPLY_STATUSES } from '../domain/ladder.js';
import { REPLY_VISIBILITIES } from '../domain/ticket.js';
import { ROLES } from '../domain/user.js';
import { literals, Nullable, SHARED_SCHEMAS } from './schemas.js';

function shared<T extends TSchema>(id: string, schema: T): TUnsafe<Static<T>> {
  SHARED_SCHEMAS.push({ ...schema, $id: id });
  return Type.Unsafe<Static<T>>(Type.Ref(id));
}

export const ArticleSchema = shared(
  'Article',
  Type.Object({
    id: Type.Integer(),
    slug: Type.String(),
    title: Type.String(),
    body: Type.String({ description: 'Markdown' }),
    tags: Type.Array(Type.String()),
    visibility: literals(ARTICLE_VISIBILITIES),
    status: literals(ARTICLE_STATUSES),
    version: Type.Integer(),
    authorId: Nullable(Type.Integer()),
    ownerId: Nullable(Type.Integer()),
    reviewDue: Nullable(Type.String()),
    sourceTicketId: Nullable(Type.Integer()),
    views: Type.Integer(),
    helped: Type.Integer(),
    notHelped: Type.Integer(),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  }),
);
export type ArticleWire = Static<typeof ArticleSchema>;

export const ArticleVersionSchema = Type.Object({
  version: Type.Integer(),
  title: Type.String(),
  body: Type.String(),
  authorId: Nullable(Type.Integer()),
  note: Nullable(Type.String()),
  createdAt: Type.String(),
});

export const PolicyVersionSchema = shared(
  'PolicyVersion',
  Type.Object({
    id: Type.Integer(),
    policyId: Type.Integer(),
    version: Type.Integer(),
    body: Type.String(),
    authorId: Nullable(Type.Integer()),
    publishedAt: Type.String(),
  }),
);

export const PolicySchema = shared(
  'Policy',
  Type.Object({
    id: Type.Integer(),
    title: Type.String(),
    ownerId: Nullable(Type.Integer()),
    audience: literals(ROLES),
    reviewEveryDays: Type.Integer(),
    createdAt: Type.String(),
    current: Nullable(PolicyVersionSchema),
    reviewDue: Nullable(Type.String()),
  }),
);
export type PolicyWire = Static<typeof PolicySchema>;

export const HeldReplySchema = shared(
  'HeldReply',
  Type.Object({
    id: Type.Integer(),
    ticketId: Type.Integer(),
    authorId: Type.Integer(),
    body: Type.String(),
    originalBody: Type.String(),
    visibility: literals(REPLY_VISIBILITIES),
    status: literals(HELD_REPLY_STATUSES),
    reviewerId: Nullable(Type.Integer()),
    note: Nullable(Type.String({ description: 'The reviewer’s note to the author' })),
    outboundId: Nullable(Type.Integer()),
    createdAt: Type.String(),
    decidedAt: Nullable(Type.String()),
  }),
);
export type HeldReplyWire = Static<typeof HeldReplySchema>;

export const BeltCriteriaSchema = Type.Object(
  {
    moduleIds: Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 50 }),
    modulesPassed: Type.Integer({ minimum: 0, maximum: 1000 }),
    policiesAcknowledged: Type.Boolean(),
    approvedReplies: Type.Integer({ minimum: 0, maximum: 100_000 }),
    monthsActive: Type.Integer({ minimum: 0, maximum: 600 }),
  },
  { additionalProperties: false },
);

export const BeltLevelSchema = Type.Object({
  rank: Type.Integer(),
  name: Type.String(),
  criteria: BeltCriteriaSchema,
});

export const BeltProgressSchema = shared(
  'BeltProgress',
  Type.Object({
    userId: Type.Integer(),
    rank: Type.Integer(),
    name: Type.String(),
    since: Nullable(Type.String()),
    levels: Type.Array(BeltLevelSchema),
    next: Nullable(
      Type.Object({
        rank: Type.Integer(),
        name: Type.String(),
        criteria: Type.Array(
          Type.Object({
            criterion: Type.String(),
            label: Type.String(),
            have: Type.Integer(),
            need: Type.Integer(),
            met: Type.Boolean(),
          }),
        ),
      }),
    ),
    mustReview: Type.Boolean(),
    mayApproveBatch: Type.Boolean(),
    mayReview: Type.Boolean(),
  }),
);
export type BeltProgressWire = Static<typeof BeltProgressSchema>;

export const ContributionCountsSchema = Type.Object({
  written: Type.Integer(),
  improved: Type.Integer(),
  views: Type.Integer(),
  helped: Type.Integer(),
  linkedReplies: Type.Integer(),
});

export const ContributorSchema = shared(
  'Contributor',
  Type.Object({
    user: Type.Object({ id: Type.Integer(), username: Type.String(), displayName: Type.String() }),
    counts: ContributionCountsSchema,
    badges: Type.Array(Type.Object({ id: Type.String(), label: Type.String() })),
    articles: Type.Array(ArticleSchema),
    belt: Type.Object({ rank: Type.Integer(), name: Type.String() }),
  }),
);
export type ContributorWire = Static<typeof ContributorSchema>;

export const TrainingModuleSchema = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  articleIds: Type.Array(Type.Integer()),
  quiz: Type.Array(Type.Object({ question: Type.String(), choices: Type.Array(Type.String()) })),
  passShare: Type.Number(),
  createdAt: Type.String(),
  passed: Type.Boolean(),
});
export type TrainingModuleWire = Static<typeof TrainingModuleSchema>;
