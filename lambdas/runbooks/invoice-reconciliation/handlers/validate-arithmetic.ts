import type { Context } from 'aws-lambda';
import { currentApPolicy } from '#runbooks/invoice-reconciliation/adapters/ap-policy.ts';
import { invoiceSchema } from '#runbooks/invoice-reconciliation/core/invoice.ts';
import { validateArithmetic } from '#runbooks/invoice-reconciliation/core/three-way-match.ts';
import { invoiceBusiness, parseInvoiceTask, RULES_ACTOR, recordEvidence } from './invoice-task.ts';

/** Task ValidateArithmetic: the invoice's own arithmetic, within the policy's totals tolerance. */
export async function handler(event: unknown, context: Context) {
  const task = parseInvoiceTask({ invoice: invoiceSchema }, event, context);
  const policy = await currentApPolicy();
  const results = validateArithmetic(task.invoice, policy);
  await recordEvidence(
    task,
    'rule_result',
    'ValidateArithmetic/rule_result',
    RULES_ACTOR,
    { rules: results, totalsTolerance: policy.totalsTolerance },
    invoiceBusiness(task.invoice),
  );
  return { results };
}
