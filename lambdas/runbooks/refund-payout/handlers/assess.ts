import { formatMoney, fromMinor, money, zero } from '#platform/core/money.ts';
import { DynamoDbEscrowLedger } from '#platform/escrow/adapters/escrow-ledger-dynamodb.ts';
import { ledgerDay } from '#platform/escrow/core/escrow-ledger.ts';
import { runbookStep } from '#platform/runs/handlers/runbook-step.ts';
import { DynamoDbSystemOfRecord } from '#platform/system-of-record/adapters/system-of-record-dynamodb.ts';
import { loadAgentStanding } from '#platform/trust/adapters/trust-store-dynamodb.ts';
import { gate } from '#platform/trust/core/gate.ts';
import { PAYMENT_RUN_POLICY } from '#runbooks/payment-run/adapters/payment-policy.ts';
import { paidBefore } from '#runbooks/payment-run/adapters/payment-runs-dynamodb.ts';
import { creditorAccount } from '#runbooks/payment-run/core/select-payments.ts';
import { REFUND_PAYOUT_POLICY } from '#runbooks/refund-payout/adapters/refund-payout-policy.ts';
import { heldForPayeeOn, reservedAgainst } from '#runbooks/refund-payout/adapters/refund-tallies-dynamodb.ts';
import {
  ACTION_OF,
  capOf,
  controllerThreshold,
  type PayeeFacts,
  refundChecks,
} from '#runbooks/refund-payout/core/refund-rules.ts';
import {
  type GateResult,
  gateResult,
  REFUND_RULES_ACTOR,
  REFUND_TASK,
  refundAgentActor,
  refundBusiness,
} from './refund-step.ts';

const ledger = new DynamoDbEscrowLedger();
const sor = new DynamoDbSystemOfRecord();
const EVENT = 'Assess/decision';

/** Whether the payment run ever paid this payee at its account on file. */
async function wasPaidBefore(payee: string, currency: string): Promise<boolean> {
  const [record, accountId] = await Promise.all([sor.getPayee(payee), sor.fundingAccountFor(currency)]);
  const originator = accountId ? PAYMENT_RUN_POLICY.originators[accountId] : undefined;
  const account = record && originator ? creditorAccount(record, originator) : undefined;
  return account ? paidBefore(payee, account) : false;
}

const caseOf = (result: GateResult) => ({
  decision: result.decision,
  reasonCodes: result.reasonCodes,
  requiredRole: result.requiredRole,
});

/**
 * Task Assess: the order and its charges (or the contract and its balance), what earlier runs
 * reserved against it, the payee's history (paid before, held today, bank details changed) and
 * the agent's standing and pact for the action, judged by the trust gate. No model. Decided once:
 * a retried step returns the recorded decision.
 */
export const handler = runbookStep({
  input: REFUND_TASK,
  replay: {
    eventKey: () => EVENT,
    outcome: (record) => {
      const result = gateResult.parse(record.details);
      return { result, case: caseOf(result) };
    },
  },
  run: async (task) => {
    const { request } = task;
    const now = new Date();
    const amount = money(request.amount, request.currency);
    const [standing, customer, partner, order, contract, reserved, heldToday, paid, usage] =
      await Promise.all([
        loadAgentStanding(request.agentId),
        request.kind === 'refund' ? sor.getCustomer(request.payeeId) : undefined,
        request.kind === 'payout' ? sor.getPartner(request.payeeId) : undefined,
        request.kind === 'refund' ? sor.getOrder(request.reference) : undefined,
        request.kind === 'payout' ? sor.getPayoutContract(request.reference) : undefined,
        reservedAgainst(request.reference),
        heldForPayeeOn(request.payee, ledgerDay(now)),
        wasPaidBefore(request.payee, request.currency),
        ledger.usageOn(request.agentId, ledgerDay(now)),
      ]);
    const party = customer ?? partner;
    if (!standing || !party)
      throw new Error(`The agent or the payee of ${request.reference} is no longer on record.`);
    const payee: PayeeFacts = {
      payeeId: request.payeeId,
      name: party.name,
      status: party.status ?? 'ACTIVE',
      bankAccount: party.bankAccount ?? '',
      bankDetailsChangedAt: party.bankDetailsChangedAt,
    };
    const facts = {
      kind: request.kind,
      amount,
      payee,
      order,
      contract,
      alreadyReserved: fromMinor(reserved.minor, request.currency),
      toPayeeToday: heldToday,
      paidBefore: paid,
      now,
    };
    const checks = refundChecks(facts, REFUND_PAYOUT_POLICY);
    const usageToday = usage.used.find((m) => m.currency === request.currency) ?? zero(request.currency);
    const verdict = gate({
      agent: standing,
      action: ACTION_OF[request.kind],
      amount,
      checks,
      policy: { controllerThreshold: controllerThreshold(REFUND_PAYOUT_POLICY, request.currency) },
      usageToday,
    });
    const result: GateResult = {
      decision: verdict.outcome,
      requiredRole: verdict.requiredRole,
      reasonCodes: verdict.reasonCodes,
      reasons: verdict.reasons,
      payeeName: party.name,
    };
    const cap = capOf(facts);
    const failed = checks.filter((check) => !check.passed);
    return {
      result,
      case: {
        ...caseOf(result),
        checks: failed.map(({ code, effect, detail }) => ({ code, effect, detail })),
        payment: {
          kind: request.kind,
          payee: request.payee,
          payeeName: party.name,
          reference: request.reference,
          amount: request.amount,
          currency: request.currency,
          agentId: request.agentId,
        },
      },
      evidence: [
        {
          recordType: 'rule_result',
          eventKey: 'Assess/rule_result',
          actor: REFUND_RULES_ACTOR,
          details: {
            // The evidence the pact asks for: the order and what was charged on it, or the contract and its balance.
            ...(order
              ? { order: { orderId: order.orderId, orderDate: order.orderDate, charges: order.charges } }
              : {}),
            ...(contract ? { contract } : {}),
            cap: cap ? formatMoney(cap) : null,
            alreadyReserved: formatMoney(facts.alreadyReserved),
            heldForPayeeToday: heldToday,
            paidBefore: paid,
            checks,
          },
          business: refundBusiness(request, { reasonCodes: failed.map((check) => check.code) }),
        },
        {
          recordType: 'decision',
          eventKey: EVENT,
          actor: refundAgentActor(request.agentId),
          details: {
            ...result,
            tier: standing.tier,
            usageToday: formatMoney(usageToday),
          },
          business: refundBusiness(request, { decision: result.decision, reasonCodes: result.reasonCodes }),
        },
      ],
    };
  },
});
