import { formatMoney, type Money } from '#platform/core/money.ts';
import type { AgentExposure } from '#platform/escrow/core/escrow-ledger.ts';
import { effectiveAutoApproveLimit } from './gate.ts';
import { demotionEventKey, promotionEventKey, TRUST_RULES_VERSION, trustStream } from './outcomes.ts';
import type { ProposedPactLimits } from './promotions.ts';
import { trustFigures } from './promotions.ts';
import { trustScore } from './score.ts';
import type { AgentStanding, EvidencePointer, Outcome, Tier } from './standing.ts';

/** A change of an agent's tier (and limits), as the trust store keeps it and the packet shows it. */
export interface PacketTierChange {
  readonly from: Tier;
  readonly to: Tier;
  readonly automatic: boolean;
  readonly at?: string;
  readonly reason?: string;
  readonly decisionId?: string;
  readonly promotionId?: string;
  readonly proposedBy?: string;
  readonly signOff?: { by: string; role: string; at: string; note?: string };
  readonly limits?: readonly ProposedPactLimits[];
}

export interface PacketPromotion {
  readonly promotionId: string;
  readonly status: string;
  readonly fromTier: Tier;
  readonly change: unknown;
  readonly justification: string;
  readonly proposedBy: { readonly username: string; readonly role: string };
  readonly proposedAt: string;
  readonly evidence: Record<string, unknown>;
  readonly signOff?: { by: string; role: string; at: string; note?: string };
}

const moneyOut = (value: Money) => ({ amount: formatMoney(value), currency: value.currency });

/**
 * The trust packet: one document a finance stakeholder reads to answer "can we give this agent
 * more room?" — pacts, tier history with who signed each change, score, outcomes, rates, open
 * escrow exposure, and for every figure the evidence records (execution id + event key) behind it.
 */
export function trustPacket(input: {
  readonly standing: AgentStanding;
  readonly outcomes: readonly Outcome[];
  readonly tierHistory: readonly PacketTierChange[];
  readonly promotions: readonly PacketPromotion[];
  readonly exposure: AgentExposure;
  readonly now: Date;
}) {
  const { standing, outcomes, now } = input;
  const stream = trustStream(standing.agentId);
  const figures = trustFigures(outcomes, now);
  const sorted = [...outcomes].sort((a, b) => a.at.localeCompare(b.at));
  const pointer = (eventKey: string): EvidencePointer => ({ executionId: stream, eventKey });
  return {
    agentId: standing.agentId,
    displayName: standing.displayName,
    generatedAt: now.toISOString(),
    trustRulesVersion: TRUST_RULES_VERSION,
    standing: {
      tier: standing.tier,
      suspended: standing.suspended,
      score: standing.score,
      lastEvidenceAt: standing.lastEvidenceAt,
    },
    pacts: standing.pacts.map((pact) => ({
      action: pact.action,
      perActionLimit: moneyOut(pact.perActionLimit),
      dailyLimit: moneyOut(pact.dailyLimit),
      autoApproveLimit: moneyOut(effectiveAutoApproveLimit(standing, pact)),
      maxOverrideRateBp: pact.accuracyCommitment.maxOverrideRateBp,
      requiredEvidence: pact.requiredEvidence,
    })),
    figures,
    scoreOverTime: scoreOverTime(sorted),
    tierHistory: input.tierHistory.map((change) => ({
      at: change.at ?? change.signOff?.at ?? null,
      from: change.from,
      to: change.to,
      how: change.automatic ? 'automatic demotion' : 'signed-off promotion',
      reason: change.reason ?? null,
      proposedBy: change.proposedBy ?? null,
      signedOffBy: change.signOff ? { by: change.signOff.by, role: change.signOff.role } : null,
      evidence: change.automatic
        ? change.decisionId
          ? pointer(demotionEventKey(change.decisionId))
          : null
        : change.promotionId
          ? pointer(promotionEventKey(change.promotionId, 'signed_off'))
          : null,
    })),
    promotions: input.promotions.map((p) => ({
      promotionId: p.promotionId,
      status: p.status,
      fromTier: p.fromTier,
      change: p.change,
      justification: p.justification,
      proposedBy: p.proposedBy.username,
      proposedAt: p.proposedAt,
      attached: { ...p.evidence, outcomeEvidence: undefined },
      signOff: p.signOff ?? null,
      evidence: [
        pointer(promotionEventKey(p.promotionId, 'proposed')),
        ...(p.status === 'APPLIED' ? [pointer(promotionEventKey(p.promotionId, 'signed_off'))] : []),
        ...(p.status === 'REFUSED' ? [pointer(promotionEventKey(p.promotionId, 'refused'))] : []),
      ],
    })),
    outcomes: sorted.map((o) => ({
      decisionId: o.decisionId,
      kind: o.kind,
      at: o.at,
      action: o.action ?? null,
      runbook: o.runbook ?? null,
      executionId: o.executionId ?? null,
      recordedBy: o.recordedBy ?? null,
      reason: o.reason ?? null,
      shadow: o.shadow ?? null,
      evidence: o.evidence ?? null,
    })),
    openEscrow: { holds: input.exposure.openHolds, amounts: input.exposure.open.map(moneyOut) },
    evidenceRanges: {
      trustChain: stream,
      outcomes: {
        count: sorted.length,
        first: sorted[0]?.at ?? null,
        last: sorted.at(-1)?.at ?? null,
        executions: [...new Set(sorted.flatMap((o) => (o.executionId ? [o.executionId] : [])))],
      },
    },
  };
}
export type TrustPacket = ReturnType<typeof trustPacket>;

/** Points on the score line at the most; older outcomes still count in every point. */
const MAX_SCORE_POINTS = 500;

/** The score as it stood right after each outcome (the last MAX_SCORE_POINTS of them). */
function scoreOverTime(sorted: readonly Outcome[]) {
  const from = Math.max(0, sorted.length - MAX_SCORE_POINTS);
  return sorted.slice(from).map((o, i) => ({
    at: o.at,
    decisionId: o.decisionId,
    score: trustScore(sorted.slice(0, from + i + 1), new Date(o.at)),
  }));
}

const bp = (value: number | null) =>
  value === null ? 'n/a (under 10 fresh outcomes)' : `${(value / 100).toFixed(2)}%`;
const cell = (value: unknown) => String(value ?? '').replace(/\|/g, '\\|');
const where = (p: EvidencePointer | null) => (p ? `\`${p.executionId}\` › \`${p.eventKey}\`` : '—');

/** The packet as a page a controller reads; every figure keeps its evidence pointer. */
export function trustPacketMarkdown(packet: TrustPacket): string {
  const f = packet.figures;
  const lines = [
    `# Trust packet: ${packet.displayName} (\`${packet.agentId}\`)`,
    '',
    `Generated ${packet.generatedAt}; trust rules version \`${packet.trustRulesVersion.slice(0, 12)}\`.`,
    '',
    '## Standing',
    '',
    `- Tier: **${packet.standing.tier}**${packet.standing.suspended ? ' (suspended)' : ''}`,
    `- Score: **${f.score}** / 1000 (Wilson lower bound, 30-day half-life)`,
    `- Fresh outcomes (30 days): ${f.freshOutcomes}; open incidents: ${f.openIncidents}`,
    `- Override rate: ${bp(f.overrideRateBp)}; dispute rate: ${bp(f.disputeRateBp)}`,
    `- Shadow agreement: ${f.shadowAgreement.agreed} of ${f.shadowAgreement.compared} compared`,
    `- Open escrow: ${packet.openEscrow.holds} holds${packet.openEscrow.amounts.map((a) => `, ${a.amount} ${a.currency}`).join('')}`,
    '',
    '## Pacts',
    '',
    '| Action | Per action | Daily | Auto-approve now | Max override rate |',
    '|---|---|---|---|---|',
    ...packet.pacts.map(
      (p) =>
        `| ${p.action} | ${p.perActionLimit.amount} ${p.perActionLimit.currency} | ${p.dailyLimit.amount} ${p.dailyLimit.currency} | ${p.autoApproveLimit.amount} ${p.autoApproveLimit.currency} | ${bp(p.maxOverrideRateBp)} |`,
    ),
    '',
    '## Score over time',
    '',
    packet.scoreOverTime.length
      ? packet.scoreOverTime.map((p) => `${p.at.slice(0, 16)} ${p.score}`).join(' · ')
      : 'No outcomes yet.',
    '',
    '## Outcomes by kind',
    '',
    ...Object.entries(f.outcomesByKind).map(([kind, count]) => `- ${kind}: ${count}`),
    '',
    '## Tier history',
    '',
    '| When | From | To | How | Reason | Proposed by | Signed off by | Evidence |',
    '|---|---|---|---|---|---|---|---|',
    ...packet.tierHistory.map(
      (t) =>
        `| ${cell(t.at)} | ${t.from} | ${t.to} | ${t.how} | ${cell(t.reason)} | ${cell(t.proposedBy)} | ${t.signedOffBy ? `${t.signedOffBy.by} (${t.signedOffBy.role})` : '—'} | ${where(t.evidence)} |`,
    ),
    '',
    '## Promotions',
    '',
    ...packet.promotions.flatMap((p) => [
      `- \`${p.promotionId}\` ${p.status}: ${p.fromTier} → ${JSON.stringify(p.change)}, proposed by ${p.proposedBy} at ${p.proposedAt}${p.signOff ? `; ${p.status === 'APPLIED' ? 'signed off' : 'refused'} by ${p.signOff.by} (${p.signOff.role})` : ''}`,
      `  - Justification: ${p.justification}`,
      ...p.evidence.map((e) => `  - Evidence: ${where(e)}`),
    ]),
    '',
    '## Outcomes',
    '',
    '| When | Kind | Action | Run | Decided by | Reason | Shadow | Evidence |',
    '|---|---|---|---|---|---|---|---|',
    ...packet.outcomes.map(
      (o) =>
        `| ${o.at} | ${o.kind} | ${cell(o.action)} | ${cell(o.executionId)} | ${cell(o.recordedBy)} | ${cell(o.reason)} | ${o.shadow ? `would ${o.shadow.agentWouldHave}, agreed: ${o.shadow.agreed}` : ''} | ${where(o.evidence)} |`,
    ),
    '',
  ];
  return lines.join('\n');
}
