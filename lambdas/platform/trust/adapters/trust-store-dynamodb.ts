import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDb } from '#platform/aws/dynamodb-client.ts';
import { tableName } from '#platform/aws/resource-env.ts';
import { isConditionFailure, rethrowTransient } from '#platform/aws/store-errors.ts';
import { TollgateError } from '#platform/core/errors.ts';
import { hashOf } from '#platform/core/hashing.ts';
import { formatMoney, money } from '#platform/core/money.ts';
import type { AgentLimitSource, AgentMoneyLimits } from '#platform/escrow/core/escrow-ledger.ts';
import { demotionAfter, trustScore } from '#platform/trust/core/score.ts';
import {
  type AgentStanding,
  type Outcome,
  type OutcomeKind,
  type Pact,
  pactFor,
  type Tier,
} from '#platform/trust/core/standing.ts';

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

const agentPk = (agentId: string) => `AGENT#${agentId}`;

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
    try {
      await dynamoDb.send(
        new PutCommand({
          TableName: tableName('trust'),
          Item: {
            pk: agentPk(input.agentId),
            sk: 'PROFILE',
            gsi1pk: 'AGENTS',
            gsi1sk: input.agentId,
            ...profile,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { created: true, standing: toStanding(profile) };
    } catch (error) {
      if (!isConditionFailure(error)) rethrowTransient(error);
    }
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
    const items: Outcome[] = [];
    let startKey: Record<string, unknown> | undefined;
    try {
      do {
        const out = await dynamoDb.send(
          new QueryCommand({
            TableName: tableName('trust'),
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':pk': agentPk(agentId), ':prefix': 'OUTCOME#' },
            ConsistentRead: true,
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
        for (const item of out.Items ?? []) items.push(item.outcome as Outcome);
        startKey = out.LastEvaluatedKey;
      } while (startKey);
    } catch (error) {
      rethrowTransient(error);
    }
    return items;
  }

  /**
   * Records one decision's outcome (idempotent by decisionId) and, in the same transaction,
   * the new score, last evidence time and any automatic demotion.
   */
  async recordOutcome(input: {
    agentId: string;
    decisionId: string;
    kind: OutcomeKind;
    action?: string;
    recordedBy?: string;
    at?: Date;
  }): Promise<{ recorded: boolean; standing: AgentStanding; demotedTo?: Tier }> {
    const now = input.at ?? new Date();
    const outcome: Outcome = {
      decisionId: input.decisionId,
      kind: input.kind,
      at: now.toISOString(),
      ...(input.action ? { action: input.action } : {}),
      ...(input.recordedBy ? { recordedBy: input.recordedBy } : {}),
    };
    for (let attempt = 1; attempt <= 5; attempt++) {
      const profile = await this.#profile(input.agentId);
      if (!profile) throw new TollgateError('NOT_FOUND', `No agent ${input.agentId}; register it first.`);
      const history = await this.outcomes(input.agentId);
      if (history.some((o) => o.decisionId === input.decisionId)) {
        return { recorded: false, standing: toStanding(profile) };
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
      try {
        await dynamoDb.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName('trust'),
                  Item: { pk: agentPk(input.agentId), sk: `OUTCOME#${input.decisionId}`, outcome },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Put: {
                  TableName: tableName('trust'),
                  Item: {
                    pk: agentPk(input.agentId),
                    sk: 'PROFILE',
                    gsi1pk: 'AGENTS',
                    gsi1sk: input.agentId,
                    ...next,
                  },
                  ConditionExpression: 'version = :v',
                  ExpressionAttributeValues: { ':v': profile.version },
                },
              },
              ...(demotion
                ? [
                    {
                      Put: {
                        TableName: tableName('trust'),
                        Item: {
                          pk: agentPk(input.agentId),
                          sk: `TIER#${outcome.at}#${input.decisionId}`,
                          change: {
                            from: profile.tier,
                            to: demotion.to,
                            reason: demotion.reason,
                            automatic: true,
                          },
                        },
                      },
                    },
                  ]
                : []),
            ],
          }),
        );
        return {
          recorded: true,
          standing: toStanding(next),
          ...(demotion ? { demotedTo: demotion.to } : {}),
        };
      } catch (error) {
        if ((error as Error).name !== 'TransactionCanceledException') rethrowTransient(error);
      }
    }
    throw new TollgateError(
      'CONFLICT',
      `Agent ${input.agentId} changed too often to record the outcome; retry.`,
    );
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
            {
              Put: {
                TableName: tableName('trust'),
                Item: {
                  pk: agentPk(input.agentId),
                  sk: 'PROFILE',
                  gsi1pk: 'AGENTS',
                  gsi1sk: input.agentId,
                  ...next,
                },
                ConditionExpression: 'version = :v',
                ExpressionAttributeValues: { ':v': profile.version },
              },
            },
            {
              Put: {
                TableName: tableName('trust'),
                Item: {
                  pk: agentPk(input.agentId),
                  sk: `TIER#${input.signOff.at}#signoff`,
                  change: { from: profile.tier, to: input.to, signOff: input.signOff, automatic: false },
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
          `Agent ${input.agentId} changed meanwhile; review and sign off again.`,
        );
      }
      rethrowTransient(error);
    }
    return toStanding(next);
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
