import * as z from 'zod';
import { recordInvoiceDecision } from '#platform/aws/metrics.ts';
import { formatMoney, zero } from '#platform/core/money.ts';
import { DynamoDbEscrowLedger } from '#platform/escrow/adapters/escrow-ledger-dynamodb.ts';
import { ledgerDay } from '#platform/escrow/core/escrow-ledger.ts';
import { runbookStep } from '#platform/runs/handlers/runbook-step.ts';
import { DynamoDbSystemOfRecord } from '#platform/system-of-record/adapters/system-of-record-dynamodb.ts';
import { loadAgentStanding } from '#platform/trust/adapters/trust-store-dynamodb.ts';
import { currentApPolicy } from '#runbooks/invoice-reconciliation/adapters/ap-policy.ts';
import { codingChecks } from '#runbooks/invoice-reconciliation/core/coding.ts';
import {
  decideInvoice,
  decisionCurrency,
  type InvoiceDecision,
  unknownAgent,
} from '#runbooks/invoice-reconciliation/core/decide-invoice.ts';
import { invoiceSchema } from '#runbooks/invoice-reconciliation/core/invoice.ts';
import { agentActor, INVOICE_TASK, invoiceBusiness } from './invoice-step.ts';

const ledger = new DynamoDbEscrowLedger();
const sor = new DynamoDbSystemOfRecord();
const results = z.array(
  z.object({
    code: z.string(),
    passed: z.boolean(),
    effect: z.enum(['approval', 'controller', 'reject']),
    detail: z.string(),
  }),
);
const vendor = z
  .object({
    vendorId: z.string(),
    name: z.string(),
    currency: z.string(),
    defaultGlAccount: z.string(),
    allowedGlAccounts: z.array(z.string()).optional(),
  })
  .nullable();
const coding = z.array(z.object({ lineNo: z.number(), glAccount: z.string(), costCenter: z.string() }));
const purchaseOrder = z
  .object({ costCenter: z.string(), lines: z.array(z.object({ lineNo: z.number(), glAccount: z.string() })) })
  .nullable();
const lineMatches = z.array(z.object({ invoiceLineNo: z.number(), poLineNo: z.number().nullable() }));
const EVENT = 'DecideByTrustGate/decision';

const caseOf = (decision: Pick<InvoiceDecision, 'decision' | 'reasonCodes' | 'requiredRole'>) => ({
  decision: decision.decision,
  reasonCodes: decision.reasonCodes,
  requiredRole: decision.requiredRole,
  gate: decision,
});

/**
 * Shadow mode: an agent in the shadow tier acts on nothing, but its decision is still taken as
 * if its pact were in force (bounded tier) and kept beside the gate's, so the person's decision
 * on the case can be compared with it.
 */
function withShadow(decision: InvoiceDecision, input: Parameters<typeof decideInvoice>[0]): InvoiceDecision {
  if (input.standing.tier !== 'shadow' || input.standing.pacts.length === 0) return decision;
  const alone = decideInvoice({ ...input, standing: { ...input.standing, tier: 'bounded' } });
  return { ...decision, shadow: { agentWouldHave: alone.decision, reasonCodes: alone.reasonCodes } };
}

/** Task DecideByTrustGate: the agent's earned authority against this invoice's rule results. No model. */
export const handler = runbookStep({
  input: { ...INVOICE_TASK, invoice: invoiceSchema, results, vendor, coding, purchaseOrder, lineMatches },
  replay: {
    eventKey: () => EVENT,
    // The decision is made once: a retried step returns it, even if today's usage has moved since.
    outcome: (record) => {
      const {
        usageToday: _usage,
        controllerThreshold: _threshold,
        ...decided
      } = record.details as InvoiceDecision & Record<string, unknown>;
      return { result: decided as InvoiceDecision, case: caseOf(decided as InvoiceDecision) };
    },
  },
  run: async (task) => {
    const standing = (await loadAgentStanding(task.agentId)) ?? unknownAgent(task.agentId);
    const currency = decisionCurrency(task.invoice, task.vendor, standing);
    const usage = await ledger.usageOn(task.agentId, ledgerDay(new Date()));
    const usageToday = usage.used.find((m) => m.currency === currency) ?? zero(currency);
    const policy = await currentApPolicy();
    // The model proposed the coding; the gate sees whether the rules allow it.
    const codingResults = codingChecks({
      coding: task.coding,
      vendor: task.vendor,
      purchaseOrder: task.purchaseOrder,
      lineMatches: task.lineMatches,
      chartOfAccounts: await sor.getChartOfAccounts(),
    });
    const input = {
      standing,
      invoice: task.invoice,
      currency,
      checks: [...task.results, ...codingResults],
      controllerThreshold: policy.controllerThreshold,
      usageToday,
    };
    const decision = withShadow(decideInvoice(input), input);
    return {
      result: decision,
      case: caseOf(decision),
      evidence: [
        {
          recordType: 'decision',
          eventKey: EVENT,
          actor: agentActor(task.agentId),
          details: {
            ...decision,
            usageToday: formatMoney(usageToday),
            controllerThreshold: policy.controllerThreshold,
          },
          business: invoiceBusiness(task.invoice, task.vendor, {
            decision: decision.decision,
            reasonCodes: decision.reasonCodes,
          }),
        },
      ],
      metric: () => recordInvoiceDecision(decision),
    };
  },
});
