import { z } from 'zod';
import { runbookStep } from '#platform/runs/handlers/runbook-step.ts';
import { currentApPolicy } from '#runbooks/invoice-reconciliation/adapters/ap-policy.ts';
import { invoiceSchema } from '#runbooks/invoice-reconciliation/core/invoice.ts';
import { invoiceDateRules } from '#runbooks/invoice-reconciliation/core/invoice-dates.ts';
import { validateArithmetic } from '#runbooks/invoice-reconciliation/core/three-way-match.ts';
import { INVOICE_TASK, invoiceBusiness, RULES_ACTOR } from './invoice-step.ts';

/** Task ValidateArithmetic: the invoice's own arithmetic, within the policy's totals tolerance, and its dates. */
export const handler = runbookStep({
  input: { ...INVOICE_TASK, invoice: invoiceSchema, submittedAt: z.iso.datetime() },
  run: async (task) => {
    const policy = await currentApPolicy();
    const results = [
      ...validateArithmetic(task.invoice, policy),
      ...invoiceDateRules(task.invoice, task.submittedAt),
    ];
    return {
      result: { results },
      evidence: [
        {
          recordType: 'rule_result',
          eventKey: 'ValidateArithmetic/rule_result',
          actor: RULES_ACTOR,
          details: { rules: results, totalsTolerance: policy.totalsTolerance },
          business: invoiceBusiness(task.invoice),
        },
      ],
    };
  },
});
