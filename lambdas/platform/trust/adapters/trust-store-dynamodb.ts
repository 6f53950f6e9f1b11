import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { writeIf } from '#platform/aws/conditional-write.ts';
import { dynamoDb } from '#platform/aws/dynamodb-client.ts';
import { queryPages, queryPrefix } from '#platform/aws/query-pages.ts';
import { tableName } from '#platform/aws/resource-env.ts';
import { rethrowTransient } from '#platform/aws/store-errors.ts';
import { transactFromFreshRead } from '#platform/aws/transact.ts';
import { TollgateError } from '#platform/core/errors.ts';
import { hashOf } from '#platform/core/hashing.ts';
import { formatMoney, money } from '#platform/core/money.ts';
import type { AgentLimitSource, AgentMoneyLimits } from '#platform/escrow/core/escrow-ledger.ts';
import type { ProposedChange } from '#platform/trust/core/promotions.ts';
import { demotionAfter, trustScore } from '#platform/trust/core/score.ts';
import {
  type AgentStanding,
  type Outcome,
  type OutcomeKind,
  type Pact,
  pactFor,
  type Tier,
} from '#platform/trust/core/standing.ts';
import type { PacketTierChange } from '#platform/trust/core/trust-packet.ts';

/** A pact as a seed file or an operator writes it: money as decimal strings. */
export interface PactInput {
  readonly action: 'invoice.approve' | 'payment.hold' | 'payment.post' | (string & {});
  readonly perActionLimit: string;
  readonly dailyLimit: string;
  readonly currency: string;
  readonly requiredEvidence?: readonly string[];
  /** @default 500 (5% of decisions overridden) */
  readonly maxOverrideRateBp?: number;
}

export interface RegisterAgentInput {
  readonly agentId: string;
  readonly displayName: string;
  readonly pacts: readonly PactInput[];
  /** @default 'shadow' */
  readonly tier?: Tier;
}

interface StoredPact {
  action: string;
  perActionLimit: string;
  dailyLimit: string;
  currency: string;
  requiredEvidence: string[];
  maxOverrideRateBp: number;
}

interface Profile {
  agentId: string;
  displayName: string;
  tier: Tier;
  score: number;
  suspended: boolean;
  pacts: StoredPact[];
  lastEvidenceAt: string | null;
  version: number;
}

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

const agentPk = (agentId: string) => `AGENT#${agentId}`;
const promotionPk = (promotionId: string) => `PROMOTION#${promotionId}`;

/** One entry of an agent's tier history, as stored beside its profile. */
export interface TierChange extends PacketTierChange {
  /** Sort key after `TIER#`: time, then the decision or promotion that caused it. */
  readonly key: string;
}

/** A proposed change of tier or limits, waiting for (or past) a second person's sign-off. */
export interface Promotion {
  readonly promotionId: string;
  readonly agentId: string;
  readonly status: 'PENDING' | 'APPLIED' | 'REFUSED';
  readonly fromTier: Tier;
  readonly change: ProposedChange;
  readonly justification: string;
  readonly proposedBy: { readonly userId: string; readonly username: string; readonly role: string };
  readonly proposedAt: string;
  /** What the system attached when it was proposed. */
  readonly evidence: Record<string, unknown>;
  readonly signOff?: { by: string; role: string; at: string; note?: string };
}

/** Outcome pages read at the most (a page holds thousands); the score is computed from all of them or none. */
const MAX_OUTCOME_PAGES = 50;
/**
 * Attempts to record one outcome while the agent's profile keeps changing under it: a burst of
 * people deciding one agent's proposals at once all write its profile.
 */
const RECORD_ATTEMPTS = 15;

/** Agents, pacts, outcomes and tier history in the trust table. */
export class DynamoDbTrustStore implements AgentLimitSource {
  /** Creates the agent, or leaves an identical one alone; a different definition under the same id is refused. */
  async registerAgent(input: RegisterAgentInput): Promise<{ created: boolean; standing: AgentStanding }> {
    const pacts: StoredPact[] = input.pacts.map((pact) => {
      // Parse to validate; store the canonical decimal form.
      const perAction = money(pact.perActionLimit, pact.currency);
      const daily = money(pact.dailyLimit, pact.currency);
      return {
        action: pact.action,
        perActionLimit: formatMoney(perAction),
        dailyLimit: formatMoney(daily),
        currency: pact.currency,
        requiredEvidence: [...(pact.requiredEvidence ?? [])],
        maxOverrideRateBp: pact.maxOverrideRateBp ?? 500,
      };
    });
    const profile: Profile = {
      agentId: input.agentId,
      displayName: input.displayName,
      tier: input.tier ?? 'shadow',
      score: 0,
      suspended: false,
      pacts,
      lastEvidenceAt: null,
      version: 1,
    };
    const created = await writeIf(() =>
      dynamoDb.send(
        new PutCommand({
          TableName: tableName('trust'),
          Item: profileItem(profile),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    if (created) return { created: true, standing: toStanding(profile) };
    const existing = await this.#profile(input.agentId);
    if (!existing) throw new Error(`Agent ${input.agentId} was registered but cannot be read back.`);
    // DynamoDB does not keep map key order: compare canonical forms.
    const same = existing.displayName === profile.displayName && hashOf(existing.pacts) === hashOf(pacts);
    if (!same) {
      throw new TollgateError(
        'CONFLICT',
        `Agent ${input.agentId} is already registered with other pacts; change pacts through a reviewed tier change, not a re-seed.`,
      );
    }
    return { created: false, standing: toStanding(existing) };
  }

  async loadAgentStanding(agentId: string): Promise<AgentStanding | undefined> {
    const profile = await this.#profile(agentId);
    return profile ? toStanding(profile) : undefined;
  }

  async limitsFor(agentId: string, action: string): Promise<AgentMoneyLimits | undefined> {
    const standing = await this.loadAgentStanding(agentId);
    if (!standing || standing.suspended) return undefined;
    const pact = pactFor(standing, action);
    return pact ? { perActionLimit: pact.perActionLimit, dailyLimit: pact.dailyLimit } : undefined;
  }

  async outcomes(agentId: string): Promise<Outcome[]> {
    const items = await queryPrefix(tableName('trust'), agentPk(agentId), 'OUTCOME#', {
      maxPages: MAX_OUTCOME_PAGES,
      atBound: 'refuse',
      what: `Outcomes of agent ${agentId}`,
    });
    return items.map((item) => item.outcome as Outcome);
  }

  /**
   * Records one decision's outcome (idempotent by decisionId) and, in the same transaction,
   * the new score, last evidence time and any automatic demotion.
   */
  async recordOutcome(
    input: {
      agentId: string;
      decisionId: string;
      kind: OutcomeKind;
      action?: string;
      recordedBy?: string;
      at?: Date;
    } & Pick<Outcome, 'runbook' | 'executionId' | 'reason' | 'shadow' | 'evidence'>,
  ): Promise<{
    recorded: boolean;
    standing: AgentStanding;
    demotedTo?: Tier;
  }> {
    const now = input.at ?? new Date();
    const outcome: Outcome = {
      decisionId: input.decisionId,
      kind: input.kind,
      at: now.toISOString(),
      ...(input.action ? { action: input.action } : {}),
      ...(input.recordedBy ? { recordedBy: input.recordedBy } : {}),
      ...(input.runbook ? { runbook: input.runbook } : {}),
      ...(input.executionId ? { executionId: input.executionId } : {}),
      ...(input.reason ? { reason: input.reason } : {}),
      ...(input.shadow ? { shadow: input.shadow } : {}),
      ...(input.evidence ? { evidence: input.evidence } : {}),
    };
    return transactFromFreshRead<
      TransactItem,
      { recorded: boolean; standing: AgentStanding; demotedTo?: Tier }
    >({
      what: `Outcome ${input.decisionId} of agent ${input.agentId}`,
      maxAttempts: RECORD_ATTEMPTS,
      send: (items) => dynamoDb.send(new TransactWriteCommand({ TransactItems: [...items] })),
      plan: async () => {
        const profile = await this.#profile(input.agentId);
        if (!profile) throw new TollgateError('NOT_FOUND', `No agent ${input.agentId}; register it first.`);
        const history = await this.outcomes(input.agentId);
        if (history.some((o) => o.decisionId === input.decisionId)) {
          return { done: { recorded: false, standing: toStanding(profile) } };
        }
        const all = [...history, outcome];
        const pact = input.action ? profile.pacts.find((p) => p.action === input.action) : undefined;
        const demotion = demotionAfter({
          tier: profile.tier,
          latest: outcome,
          outcomes: all,
          maxOverrideRateBp:
            pact?.maxOverrideRateBp ?? Math.min(...profile.pacts.map((p) => p.maxOverrideRateBp), 10_000),
          now,
        });
        const next: Profile = {
          ...profile,
          score: trustScore(all, now),
          lastEvidenceAt: outcome.at,
          tier: demotion?.to ?? profile.tier,
          version: profile.version + 1,
        };
        const write: TransactItem[] = [
          {
            Put: {
              TableName: tableName('trust'),
              Item: { pk: agentPk(input.agentId), sk: `OUTCOME#${input.decisionId}`, outcome },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          profilePut(next, profile.version),
          ...(demotion
            ? [
                tierChangePut(input.agentId, `${outcome.at}#${input.decisionId}`, {
                  from: profile.tier,
                  to: demotion.to,
                  reason: demotion.reason,
                  automatic: true,
                  decisionId: input.decisionId,
                  at: outcome.at,
                }),
              ]
            : []),
        ];
        return {
          write,
          result: {
            recorded: true,
            standing: toStanding(next),
            ...(demotion ? { demotedTo: demotion.to } : {}),
          },
        };
      },
      // The profile moved on, or the same outcome was recorded meanwhile: read both again.
      onConditionFailure: () => 'retry',
      exhausted: () =>
        new TollgateError(
          'CONFLICT',
          `Agent ${input.agentId} changed too often to record the outcome; retry.`,
        ),
    });
  }

  /** A tier change a person signed off (promotion); the caller has run evaluatePromotion first. */
  async changeTier(input: {
    agentId: string;
    to: Tier;
    signOff: { by: string; role: string; at: string; note?: string };
  }): Promise<AgentStanding> {
    const profile = await this.#profile(input.agentId);
    if (!profile) throw new TollgateError('NOT_FOUND', `No agent ${input.agentId}.`);
    const next: Profile = { ...profile, tier: input.to, version: profile.version + 1 };
    try {
      await dynamoDb.send(
        new TransactWriteCommand({
          TransactItems: [
            profilePut(next, profile.version),
            tierChangePut(input.agentId, `${input.signOff.at}#signoff`, {
              from: profile.tier,
              to: input.to,
              signOff: input.signOff,
              automatic: false,
            }),
          ],
        }),
      );
    } catch (error) {
      if ((error as Error).name === 'TransactionCanceledException') {
        throw new TollgateError(
          'CONFLICT',
          `Agent ${input.agentId} changed meanwhile; review and sign off again.`,
        );
      }
      rethrowTransient(error);
    }
    return toStanding(next);
  }

  /** The agent's tier changes, oldest first: automatic demotions and signed-off promotions. */
  async tierHistory(agentId: string): Promise<TierChange[]> {
    const items = await queryPrefix(tableName('trust'), agentPk(agentId), 'TIER#', {
      maxPages: MAX_OUTCOME_PAGES,
      atBound: 'refuse',
      what: `Tier history of agent ${agentId}`,
    });
    return items.map(
      (item) => ({ key: String(item.sk).slice('TIER#'.length), ...(item.change as object) }) as TierChange,
    );
  }

  /** Stores a pending promotion; the id is new, so an existing one is never replaced. */
  async putPromotion(promotion: Promotion): Promise<void> {
    try {
      await dynamoDb.send(
        new PutCommand({
          TableName: tableName('trust'),
          Item: {
            pk: promotionPk(promotion.promotionId),
            sk: 'PROMOTION',
            gsi1pk: `PROMOTIONS#${promotion.agentId}`,
            gsi1sk: `${promotion.proposedAt}#${promotion.promotionId}`,
            ...promotion,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException')
        throw new TollgateError('CONFLICT', `Promotion ${promotion.promotionId} already exists.`);
      rethrowTransient(error);
    }
  }

  async getPromotion(promotionId: string): Promise<Promotion | undefined> {
    try {
      const { Item } = await dynamoDb.send(
        new GetCommand({
          TableName: tableName('trust'),
          Key: { pk: promotionPk(promotionId), sk: 'PROMOTION' },
          ConsistentRead: true,
        }),
      );
      if (!Item) return undefined;
      const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, ...promotion } = Item;
      return promotion as Promotion;
    } catch (error) {
      rethrowTransient(error);
    }
  }

  /** The agent's promotions, oldest first. */
  async promotions(agentId: string): Promise<Promotion[]> {
    const items = await queryPages(
      (startKey: Record<string, unknown> | undefined) =>
        dynamoDb.send(
          new QueryCommand({
            TableName: tableName('trust'),
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :p',
            ExpressionAttributeValues: { ':p': `PROMOTIONS#${agentId}` },
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        ),
      { maxPages: MAX_OUTCOME_PAGES, atBound: 'refuse', what: `Promotions of agent ${agentId}` },
    );
    return items.map((item) => {
      const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, ...promotion } = item as Record<string, unknown>;
      return promotion as unknown as Promotion;
    });
  }

  /**
   * Applies a signed-off promotion in one transaction: the profile (only over the version read
   * and only from the tier the proposal saw), a tier history entry with the sign-off, and the
   * promotion marked APPLIED (only while PENDING). Anything moved meanwhile writes nothing.
   */
  async applyPromotion(input: {
    promotionId: string;
    signOff: { by: string; role: string; at: string; note?: string };
  }): Promise<AgentStanding> {
    const promotion = await this.getPromotion(input.promotionId);
    if (!promotion) throw new TollgateError('NOT_FOUND', `No promotion ${input.promotionId}.`);
    const profile = await this.#profile(promotion.agentId);
    if (!profile) throw new TollgateError('NOT_FOUND', `No agent ${promotion.agentId}.`);
    if (profile.tier !== promotion.fromTier)
      throw new TollgateError(
        'CONFLICT',
        `Agent ${promotion.agentId} is at ${profile.tier} tier now, not ${promotion.fromTier} as when proposed; refuse this promotion and propose again.`,
        { reason: 'AGENT_CHANGED_SINCE_PROPOSAL' },
      );
    const pacts = profile.pacts.map((pact) => {
      const limits = promotion.change.pacts?.find((p) => p.action === pact.action);
      if (!limits) return pact;
      return {
        ...pact,
        perActionLimit: formatMoney(money(limits.perActionLimit, pact.currency)),
        dailyLimit: formatMoney(money(limits.dailyLimit, pact.currency)),
      };
    });
    const next: Profile = {
      ...profile,
      tier: promotion.change.tier ?? profile.tier,
      pacts,
      version: profile.version + 1,
    };
    try {
      await dynamoDb.send(
        new TransactWriteCommand({
          TransactItems: [
            profilePut(next, profile.version),
            tierChangePut(promotion.agentId, `${input.signOff.at}#${promotion.promotionId}`, {
              from: profile.tier,
              to: next.tier,
              automatic: false,
              promotionId: promotion.promotionId,
              proposedBy: promotion.proposedBy.username,
              signOff: input.signOff,
              limits: promotion.change.pacts ?? [],
              at: input.signOff.at,
            }),
            {
              Update: {
                TableName: tableName('trust'),
                Key: { pk: promotionPk(promotion.promotionId), sk: 'PROMOTION' },
                UpdateExpression: 'SET #status = :applied, signOff = :signOff',
                ConditionExpression: '#status = :pending',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: {
                  ':applied': 'APPLIED',
                  ':pending': 'PENDING',
                  ':signOff': input.signOff,
                },
              },
            },
          ],
        }),
      );
    } catch (error) {
      if ((error as Error).name === 'TransactionCanceledException') {
        throw new TollgateError(
          'CONFLICT',
          `Promotion ${promotion.promotionId} or agent ${promotion.agentId} changed meanwhile; read it again.`,
        );
      }
      rethrowTransient(error);
    }
    return toStanding(next);
  }

  /** A signer refused the promotion: it stays on record as REFUSED, the agent is untouched. */
  async refusePromotion(input: {
    promotionId: string;
    signOff: { by: string; role: string; at: string; note?: string };
  }): Promise<boolean> {
    return writeIf(() =>
      dynamoDb.send(
        new UpdateCommand({
          TableName: tableName('trust'),
          Key: { pk: promotionPk(input.promotionId), sk: 'PROMOTION' },
          UpdateExpression: 'SET #status = :refused, signOff = :signOff',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':refused': 'REFUSED',
            ':pending': 'PENDING',
            ':signOff': input.signOff,
          },
        }),
      ),
    );
  }

  async #profile(agentId: string): Promise<Profile | undefined> {
    try {
      const { Item } = await dynamoDb.send(
        new GetCommand({
          TableName: tableName('trust'),
          Key: { pk: agentPk(agentId), sk: 'PROFILE' },
          ConsistentRead: true,
        }),
      );
      return Item as Profile | undefined;
    } catch (error) {
      rethrowTransient(error);
    }
  }
}

function profileItem(profile: Profile): Record<string, unknown> {
  return {
    pk: agentPk(profile.agentId),
    sk: 'PROFILE',
    gsi1pk: 'AGENTS',
    gsi1sk: profile.agentId,
    ...profile,
  };
}

/** The profile, only over the version it was read at. */
function profilePut(next: Profile, readVersion: number): TransactItem {
  return {
    Put: {
      TableName: tableName('trust'),
      Item: profileItem(next),
      ConditionExpression: 'version = :v',
      ExpressionAttributeValues: { ':v': readVersion },
    },
  };
}

/** An entry of the agent's tier history, kept beside the profile. */
function tierChangePut(agentId: string, sk: string, change: Record<string, unknown>): TransactItem {
  return { Put: { TableName: tableName('trust'), Item: { pk: agentPk(agentId), sk: `TIER#${sk}`, change } } };
}

function toStanding(profile: Profile): AgentStanding {
  return {
    agentId: profile.agentId,
    displayName: profile.displayName,
    tier: profile.tier,
    score: profile.score,
    suspended: profile.suspended,
    lastEvidenceAt: profile.lastEvidenceAt,
    pacts: profile.pacts.map(
      (pact): Pact => ({
        action: pact.action,
        perActionLimit: money(pact.perActionLimit, pact.currency),
        dailyLimit: money(pact.dailyLimit, pact.currency),
        currency: pact.currency,
        requiredEvidence: pact.requiredEvidence,
        accuracyCommitment: { maxOverrideRateBp: pact.maxOverrideRateBp },
      }),
    ),
  };
}

const store = new DynamoDbTrustStore();

/** The read model runbooks load before calling gate(). */
export function loadAgentStanding(agentId: string): Promise<AgentStanding | undefined> {
  return store.loadAgentStanding(agentId);
}

export function registerAgent(
  input: RegisterAgentInput,
): Promise<{ created: boolean; standing: AgentStanding }> {
  return store.registerAgent(input);
}

export function recordOutcome(
  input: Parameters<DynamoDbTrustStore['recordOutcome']>[0],
): ReturnType<DynamoDbTrustStore['recordOutcome']> {
  return store.recordOutcome(input);
}
