import * as z from 'zod';
import { hashOf } from '#platform/core/hashing.ts';
import { runbookStep } from '#platform/runs/handlers/runbook-step.ts';
import { DynamoDbSystemOfRecord } from '#platform/system-of-record/adapters/system-of-record-dynamodb.ts';
import { currentApPolicy, RUNBOOK_AP_POLICY } from '#runbooks/invoice-reconciliation/adapters/ap-policy.ts';
import { claimInvoice } from '#runbooks/invoice-reconciliation/adapters/invoice-claims-dynamodb.ts';
import { assessInvoice } from '#runbooks/invoice-reconciliation/core/assess-invoice.ts';
import { withPendingBankChange } from '#runbooks/invoice-reconciliation/core/bank-details.ts';
import { invoiceSchema } from '#runbooks/invoice-reconciliation/core/invoice.ts';
import {
  claimRule,
  isDuplicate,
  matchSummary,
  quantitiesToReserve,
} from '#runbooks/invoice-reconciliation/core/match-outcome.ts';
import type { RuleResult } from '#runbooks/invoice-reconciliation/core/reason-codes.ts';
import { pendingBankChange } from '#runbooks/vendor-bank-change/adapters/pending-bank-changes-dynamodb.ts';
import { INVOICE_TASK, invoiceBusiness, RULES_ACTOR } from './invoice-step.ts';

const sor = new DynamoDbSystemOfRecord();
const ruleResult = z.object({
  code: z.string(),
  passed: z.boolean(),
  effect: z.string(),
  detail: z.string(),
  lineNo: z.number().optional(),
});

/** Task MatchToPurchaseOrder: vendor, duplicates (history and in flight), PO, receipts, line-by-line match. */
export const handler = runbookStep({
  input: {
    ...INVOICE_TASK,
    invoice: invoiceSchema,
    arithmetic: z.array(ruleResult),
    /** Absent on runs started before entities were bound. */
    entity: z.string().nullable().optional(),
  },
  run: async (task) => {
    const policy = await currentApPolicy(sor);
    // Read before matching: the reservation below only succeeds if no other invoice reserved on this PO meanwhile.
    const quantityVersion = task.invoice.poNumber ? await sor.quantityVersion(task.invoice.poNumber) : 0;
    // The agent-per-entity binding is the runbook's own configuration (part of its version), not ERP data.
    const assessment = await assessInvoice(task.invoice, sor, policy, {
      entity: task.entity ?? null,
      perEntity: RUNBOOK_AP_POLICY.agentsByEntity !== undefined,
    });
    const { vendor, purchaseOrder } = assessment;
    const results: RuleResult[] = withPendingBankChange(
      [...(task.arithmetic as RuleResult[]), ...assessment.results],
      vendor ? await pendingBankChange(vendor.vendorId) : undefined,
    );
    if (vendor && task.invoice.invoiceNumber && !isDuplicate(results)) {
      results.push(
        claimRule(await claimInvoice(vendor.vendorId, task.invoice.invoiceNumber, task.executionId)),
      );
    }
    const reserved = quantitiesToReserve(task.invoice, assessment.lines);
    if (
      vendor &&
      purchaseOrder &&
      task.invoice.invoiceNumber &&
      !isDuplicate(results) &&
      Object.keys(reserved).length > 0
    ) {
      await sor.reserveQuantities(
        purchaseOrder.poNumber,
        vendor.vendorId,
        task.invoice.invoiceNumber,
        reserved,
        quantityVersion,
        task.executionId,
      );
    }
    const match = { ...matchSummary(vendor, purchaseOrder), results, lines: assessment.lines };
    return {
      result: match,
      case: { match },
      evidence: [
        {
          recordType: 'rule_result',
          eventKey: 'MatchToPurchaseOrder/rule_result',
          actor: RULES_ACTOR,
          details: {
            rules: results,
            policy,
            policyHash: hashOf(policy),
            purchaseOrder: purchaseOrder?.poNumber ?? null,
            lineMatches: assessment.lines,
          },
          business: invoiceBusiness(task.invoice, vendor),
        },
      ],
    };
  },
});
