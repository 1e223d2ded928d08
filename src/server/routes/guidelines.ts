/**
 * The reply guidelines: leads and admins read and edit the rules (each save is a new version, older
 * versions stay readable), and the composer asks for a dry-run check of a reply before sending
 * (`POST /tickets/:id/replies/check`), so every reply shows its findings first.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { notFound } from '../../domain/errors.js';
import { REPLY_VISIBILITIES } from '../../domain/ticket.js';
import { PERSONAL_DATA_KINDS } from '../../domain/guideline.js';
import {
  currentGuidelineRules,
  guidelineRulesAt,
  listGuidelineVersions,
  saveGuidelineRules,
} from '../../store/guidelines.js';
import { getPolicyVersion } from '../../store/policies.js';
import { CheckResultSchema, errorResponses, IdParams, literals } from '../schemas.js';
import type { RouteContext } from '../context.js';
import { endpoint } from '../route.js';
import { auditSetting } from '../settings-audit.js';

const RulesBody = {
  blockedWords: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 500 }),
  profanity: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 500 }),
  maxLength: Type.Record(
    Type.String({ pattern: '^[a-z0-9_-]{1,40}$' }),
    Type.Integer({ minimum: 1, maximum: 100_000 }),
  ),
  maxCapsShare: Type.Number({ minimum: 0, maximum: 1 }),
  personalData: Type.Array(literals(PERSONAL_DATA_KINDS), { maxItems: PERSONAL_DATA_KINDS.length }),
  allowList: Type.Optional(
    Type.Array(Type.String({ minLength: 3, maxLength: 200 }), {
      maxItems: 200,
      description: 'The organisation’s own phone numbers, e-mail addresses and @domains, which replies may give out',
    }),
  ),
  toneCheck: Type.Optional(Type.Boolean({ description: 'Warn on blaming or condescending phrases (default on)' })),
  policyVersionId: Type.Optional(
    Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], {
      description: 'The policy version these rules come from',
    }),
  ),
};
const RulesInput = Type.Object(RulesBody, { additionalProperties: false });
const RulesSchema = Type.Object({ version: Type.Integer(), ...RulesBody });
const Draft = Type.Object(
  { body: Type.String({ maxLength: 20_000 }), visibility: literals(REPLY_VISIBILITIES) },
  { additionalProperties: false },
);

export const guidelineRoutes: FastifyPluginAsyncTypebox<{ context: RouteContext }> = async (app, { context }) => {
  const { store, desk } = context;
  const tags = ['guidelines'];
  const plain = (rules: Awaited<ReturnType<typeof currentGuidelineRules>>) => ({
    ...rules,
    blockedWords: [...rules.blockedWords],
    profanity: [...rules.profanity],
    personalData: [...rules.personalData],
    allowList: [...(rules.allowList ?? [])],
    maxLength: { ...rules.maxLength },
  });

  app.get(
    '/guidelines',
    endpoint('agent', tags, {
      response: {
        200: Type.Object({
          rules: RulesSchema,
          versions: Type.Array(
            Type.Object({
              version: Type.Integer(),
              authorId: Type.Union([Type.Integer(), Type.Null()]),
              createdAt: Type.String(),
              policyVersionId: Type.Union([Type.Integer(), Type.Null()]),
              unbacked: Type.Boolean({ description: 'The rules changed without a policy change' }),
            }),
          ),
        }),
        ...errorResponses,
      },
    }),
    async () => ({
      rules: plain(await currentGuidelineRules(store.db)),
      versions: await listGuidelineVersions(store.db),
    }),
  );

  app.get(
    '/guidelines/:id',
    endpoint('agent', tags, {
      description: 'The rules as they were at a version (0: the built-in defaults).',
      params: Type.Object({ id: Type.Integer({ minimum: 0 }) }),
      response: { 200: RulesSchema, ...errorResponses },
    }),
    async (request) => {
      const rules = await guidelineRulesAt(store.db, request.params.id);
      if (!rules) throw notFound('Guideline version', request.params.id);
      return plain(rules);
    },
  );

  app.put(
    '/guidelines',
    endpoint('lead', tags, {
      description: 'Saves the rules as a new version.',
      body: RulesInput,
      response: { 200: RulesSchema, ...errorResponses },
    }),
    async (request) => {
      const body = request.body;
      if (body.policyVersionId != null && !(await getPolicyVersion(store.db, body.policyVersionId)))
        throw notFound('Policy version', body.policyVersionId);
      const saved = plain(await saveGuidelineRules(store.db, body, request.user!.id, context.clock().toISOString()));
      await auditSetting(context, request, {
        area: 'guidelines',
        change: 'updated',
        subject: `version ${saved.version}`,
        detail: { version: saved.version },
      });
      return saved;
    },
  );

  app.post(
    '/guidelines/check',
    endpoint('agent', tags, {
      body: Type.Object(
        { ...Draft.properties, channel: Type.String({ minLength: 1, maxLength: 40 }) },
        { additionalProperties: false },
      ),
      response: { 200: CheckResultSchema, ...errorResponses },
    }),
    async (request) =>
      desk.checkDraft({ body: request.body.body, source: request.body.channel, visibility: request.body.visibility }),
  );

  app.post(
    '/tickets/:id/replies/check',
    endpoint('agent', ['tickets', ...tags], {
      description: 'Dry run: the findings this reply would get, nothing sent.',
      params: IdParams,
      body: Draft,
      response: { 200: CheckResultSchema, ...errorResponses },
    }),
    async (request) => desk.checkReply(request.params.id, request.body),
  );
};
