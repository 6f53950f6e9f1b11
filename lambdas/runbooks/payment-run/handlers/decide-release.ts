import { formatMoney, money } from '#platform/core/money.ts';
import { ledgerDay } from '#platform/escrow/core/escrow-ledger.ts';
import { runbookStep } from '#platform/runs/handlers/runbook-step.ts';
import { DynamoDbTrustStore } from '#platform/trust/adapters/trust-store-dynamodb.ts';
import { pactFor } from '#platform/trust/core/standing.ts';
import { releasedOn } from '#runbooks/payment-run/adapters/payment-runs-dynamodb.ts';
import { decideRelease } from '#runbooks/payment-run/core/release-decision.ts';
import { PAYMENT_RULES_ACTOR, PAYMENT_TASK, proposalResult, runBusiness } from './payment-step.ts';

const trust = new DynamoDbTrustStore();
/** The action a payment-run agent's pact names. */
export const RELEASE_ACTION = 'payment.release';

/** Task DecideRelease: the agent releases within its pact; otherwise a controller approves the run. */
export const handler = runbookStep({
  input: { ...PAYMENT_TASK, proposal: proposalResult },
  replay: {
    // Decided once: a retry after the record was written answers the same.
    eventKey: () => 'DecideRelease/decision',
    outcome: (record) => {
      const result = record.details.result as ReturnType<typeof decideRelease>;
      return { result, case: { decision: result } };
    },
  },
  run: async (task) => {
    const { proposal } = task;
    const total = money(proposal.total, proposal.currency);
    const standing = await trust.loadAgentStanding(task.request.agentId);
    const pact = standing ? pactFor(standing, RELEASE_ACTION) : undefined;
    const releasedToday = await releasedOn(task.request.agentId, ledgerDay(new Date()), proposal.currency);
    const result = decideRelease({
      total,
      payments: proposal.payments,
      firstTimePayees: proposal.firstTimePayees,
      agent: standing
        ? {
            agentId: standing.agentId,
            tier: standing.tier,
            suspended: standing.suspended,
            pact: pact && pact.currency === proposal.currency ? pact : undefined,
            releasedToday,
          }
        : undefined,
    });
    return {
      result,
      case: { decision: result },
      evidence: [
        {
          recordType: 'decision',
          eventKey: 'DecideRelease/decision',
          actor: PAYMENT_RULES_ACTOR,
          details: {
            result,
            agentId: task.request.agentId,
            tier: standing?.tier ?? null,
            pact: pact ? { perActionLimit: formatMoney(pact.perActionLimit), currency: pact.currency } : null,
          },
          business: {
            ...runBusiness(proposal, result.decision),
            reasonCodes: result.reasons.map((r) => r.code),
          },
        },
      ],
    };
  },
});
