/**
 * Policies people must have read: an owner writes a policy with an audience (a role and those
 * above it) and a review cycle; publishing a version asks everyone in the audience to
 * acknowledge it; the owner sees who has not and reminds them. Every acknowledgement,
 * publication and reminder lands in the knowledge audit.
 */
import { EarshotError, notFound } from '../domain/errors.js';
import type { Policy, PolicyVersion } from '../domain/knowledge.js';
import { hasRole, type Role, type User } from '../domain/user.js';
import type { Store } from '../store/open.js';
import { addKnowledgeAudit } from '../store/ladder.js';
import {
  type AckRow,
  acknowledgePolicyVersion,
  acknowledgementReport,
  createPolicy,
  getPolicy,
  getPolicyVersion,
  listPolicies,
  listPolicyVersions,
  pendingAcknowledgements,
  publishPolicyVersion,
  remindPending,
} from '../store/policies.js';

export interface PolicyDeskOptions {
  readonly store: Store;
  readonly clock?: () => Date;
}

export interface AckReport {
  readonly version: PolicyVersion;
  readonly acknowledged: AckRow[];
  readonly missing: AckRow[];
}

export class PolicyDesk {
  readonly #store: Store;
  readonly #clock: () => Date;

  constructor(options: PolicyDeskOptions) {
    this.#store = options.store;
    this.#clock = options.clock ?? (() => new Date());
  }

  create(input: { title: string; audience: Role; reviewEveryDays: number; ownerId?: number | null }, actor: User) {
    return createPolicy(this.#store.db, { ...input, ownerId: input.ownerId ?? actor.id }, this.#now());
  }

  list(): Promise<Policy[]> {
    return listPolicies(this.#store.db);
  }

  async get(id: number): Promise<{ policy: Policy; versions: PolicyVersion[] }> {
    const policy = await getPolicy(this.#store.db, id);
    if (!policy) throw notFound('Policy', id);
    return { policy, versions: await listPolicyVersions(this.#store.db, id) };
  }

  /** Publishes the next version: its owner or an admin. Everyone in the audience is asked to acknowledge it. */
  async publish(id: number, body: string, actor: User): Promise<{ version: PolicyVersion; asked: number }> {
    const policy = await this.#owned(id, actor);
    if (body.trim() === '') throw new EarshotError('ERR_INPUT_INVALID', { detail: 'A policy version needs a text' });
    const now = this.#now();
    const { version, asked } = await publishPolicyVersion(this.#store.db, policy.id, body, actor.id, now);
    await addKnowledgeAudit(
      this.#store.db,
      { actorId: actor.id, action: 'policy.published', data: { policyId: id, versionId: version.id, asked } },
      now,
    );
    return { version, asked: asked.length };
  }

  /** Acknowledges the current version; refused for an older one or when not asked. */
  async acknowledge(versionId: number, actor: User): Promise<void> {
    const version = await getPolicyVersion(this.#store.db, versionId);
    if (!version) throw notFound('Policy version', versionId);
    const policy = (await getPolicy(this.#store.db, version.policyId))!;
    if (policy.current?.id !== versionId)
      throw new EarshotError('ERR_CONFLICT', { detail: `Version ${version.version} is no longer current` });
    const now = this.#now();
    if (!(await acknowledgePolicyVersion(this.#store.db, versionId, actor.id, now)))
      throw new EarshotError('ERR_CONFLICT', {
        detail: `You were not asked to acknowledge ${policy.title} v${version.version}, or already did`,
      });
    await addKnowledgeAudit(
      this.#store.db,
      {
        actorId: actor.id,
        action: 'policy.acknowledged',
        subjectUserId: actor.id,
        data: { policyId: policy.id, versionId, version: version.version },
      },
      now,
    );
  }

  /** Who acknowledged the version and who has not. */
  async report(versionId: number): Promise<AckReport> {
    const version = await getPolicyVersion(this.#store.db, versionId);
    if (!version) throw notFound('Policy version', versionId);
    const rows = await acknowledgementReport(this.#store.db, versionId);
    return {
      version,
      acknowledged: rows.filter((row) => row.acknowledgedAt !== null),
      missing: rows.filter((row) => row.acknowledgedAt === null),
    };
  }

  /** Reminds everyone who has not acknowledged the current version (they see it on their desk). */
  async remind(id: number, actor: User): Promise<{ reminded: number[] }> {
    const policy = await this.#owned(id, actor);
    if (!policy.current) throw new EarshotError('ERR_CONFLICT', { detail: 'The policy has no published version' });
    const now = this.#now();
    const reminded = await remindPending(this.#store.db, policy.current.id, now);
    await addKnowledgeAudit(
      this.#store.db,
      { actorId: actor.id, action: 'policy.reminded', data: { policyId: id, versionId: policy.current.id, reminded } },
      now,
    );
    return { reminded };
  }

  /** The current versions this person still has to acknowledge. */
  pendingFor(user: User) {
    return pendingAcknowledgements(this.#store.db, user.id);
  }

  async #owned(id: number, actor: User): Promise<Policy> {
    const policy = await getPolicy(this.#store.db, id);
    if (!policy) throw notFound('Policy', id);
    if (policy.ownerId !== actor.id && !hasRole(actor, 'admin'))
      throw new EarshotError('ERR_AUTH_FORBIDDEN', { role: actor.role, needed: 'the policy’s owner or an admin' });
    return policy;
  }

  #now(): string {
    return this.#clock().toISOString();
  }
}
