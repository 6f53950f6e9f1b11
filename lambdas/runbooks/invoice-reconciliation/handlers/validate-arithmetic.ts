import * as z from 'zod';
import { openException } from '#platform/exceptions/adapters/exceptions-dynamodb.ts';
import { runbookStep } from '#platform/runs/handlers/runbook-step.ts';
import { currentApPolicy } from '#runbooks/invoice-reconciliation/adapters/ap-policy.ts';
import {
  type Credit,
  creditException,
  creditOfInvoice,
  negativeTotalRule,
} from '#runbooks/invoice-reconciliation/core/credits.ts';
import {
  type EInvoiceSummary,
  eInvoiceRules,
} from '#runbooks/invoice-reconciliation/core/e-invoice-reading.ts';
import { invoiceSchema } from '#runbooks/invoice-reconciliation/core/invoice.ts';
import { invoiceDateRules } from '#runbooks/invoice-reconciliation/core/invoice-dates.ts';
import { validateArithmetic } from '#runbooks/invoice-reconciliation/core/three-way-match.ts';
import { INVOICE_TASK, invoiceBusiness, RULES_ACTOR } from './invoice-step.ts';

/** What this step reads of an e-invoice (the rest of the summary is for people and evidence). */
const eInvoiceInput = z
  .object({
    id: z.string(),
    typeCode: z.string(),
    credit: z.enum(['CREDIT_NOTE', 'NEGATIVE_INVOICE']).nullable(),
    ruleBreaks: z.array(z.object({ rule: z.string(), detail: z.string() })),
    currency: z.string(),
    totals: z.object({ payable: z.string() }),
    seller: z.object({ name: z.string().nullable(), vatId: z.string().nullable() }),
  })
  .nullable()
  // Absent on runs started before e-invoices were read.
  .optional();

/** The credit an e-invoice is, in the form the exception takes. */
function eInvoiceCredit(eInvoice: NonNullable<z.infer<typeof eInvoiceInput>>): Credit | undefined {
  if (!eInvoice.credit) return undefined;
  return {
    kind: eInvoice.credit,
    documentNumber: eInvoice.id,
    sellerName: eInvoice.seller.name,
    sellerId: eInvoice.seller.vatId,
    amount: eInvoice.totals.payable.replace(/^[+-]/, ''),
    currency: eInvoice.currency,
    typeCode: eInvoice.typeCode,
  };
}

/**
 * Task ValidateArithmetic: the invoice's own arithmetic, within the policy's totals tolerance,
 * and its dates. An EN 16931 e-invoice is held to the standard's own rules instead (prices per
 * base quantity, line allowances, prepaid amounts and rounding are legal there), and a credit
 * note or negative invoice is never paid: it ends up with AP as an exception.
 */
export const handler = runbookStep({
  input: {
    ...INVOICE_TASK,
    invoice: invoiceSchema,
    submittedAt: z.iso.datetime(),
    eInvoice: eInvoiceInput,
  },
  run: async (task) => {
    const policy = await currentApPolicy();
    const eInvoice = task.eInvoice ?? null;
    // Whatever form it came in, a credit is never paid: AP sets it off against what the vendor is owed.
    const credit = eInvoice ? eInvoiceCredit(eInvoice) : creditOfInvoice(task.invoice);
    const results = [
      ...(eInvoice
        ? eInvoiceRules(eInvoice as Pick<EInvoiceSummary, 'credit' | 'ruleBreaks' | 'typeCode'>)
        : [...validateArithmetic(task.invoice, policy), ...(credit ? [negativeTotalRule()] : [])]),
      ...invoiceDateRules(task.invoice, task.submittedAt),
    ];
    return {
      ...(credit
        ? {
            after: async () =>
              void (await openException(creditException(credit, task, new Date().toISOString()))),
          }
        : {}),
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
