import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { hashOf } from '#platform/core/hashing.ts';
import { claimInvoice, executionNameOf, updateCase } from '#platform/runs/adapters/case-store-dynamodb.ts';
import { DynamoDbSystemOfRecord } from '#platform/system-of-record/adapters/system-of-record-dynamodb.ts';
import { currentApPolicy } from '#runbooks/invoice-reconciliation/adapters/ap-policy.ts';
import { assessInvoice } from '#runbooks/invoice-reconciliation/core/assess-invoice.ts';
import { invoiceSchema } from '#runbooks/invoice-reconciliation/core/invoice.ts';
import { type RuleResult, rule } from '#runbooks/invoice-reconciliation/core/reason-codes.ts';
import { invoiceBusiness, parseInvoiceTask, RULES_ACTOR, recordEvidence } from './invoice-task.ts';

const sor = new DynamoDbSystemOfRecord();
const ruleResult = z.object({
  code: z.string(),
  passed: z.boolean(),
  effect: z.string(),
  detail: z.string(),
  lineNo: z.number().optional(),
});

/** Task MatchToPurchaseOrder: vendor, duplicates (history and in flight), PO, receipts, line-by-line match. */
export async function handler(event: unknown, context: Context) {
  const task = parseInvoiceTask({ invoice: invoiceSchema, arithmetic: z.array(ruleResult) }, event, context);
  const policy = await currentApPolicy(sor);
  // Read before matching: the reservation below only succeeds if no other invoice reserved on this PO meanwhile.
  const quantityVersion = task.invoice.poNumber ? await sor.quantityVersion(task.invoice.poNumber) : 0;
  const assessment = await assessInvoice(task.invoice, sor, policy);
  const results: RuleResult[] = [...(task.arithmetic as RuleResult[]), ...assessment.results];
  const { vendor, purchaseOrder } = assessment;
  const alreadyDuplicate = results.some((r) => r.code === 'DUPLICATE_INVOICE' && !r.passed);
  if (vendor && task.invoice.invoiceNumber && !alreadyDuplicate) {
    const claim = await claimInvoice(vendor.vendorId, task.invoice.invoiceNumber, task.executionId);
    results.push(
      claim === 'claimed'
        ? rule('DUPLICATE_INVOICE', true, 'Vendor and invoice number claimed by this run.')
        : rule(
            'DUPLICATE_INVOICE',
            false,
            `The same vendor and invoice number are being processed by run ${executionNameOf(claim.heldBy)}.`,
          ),
    );
  }
  const duplicate = results.some((r) => r.code === 'DUPLICATE_INVOICE' && !r.passed);
  const reserved: Record<number, string> = {};
  for (const line of assessment.lines) {
    const quantity = task.invoice.lines.find((l) => l.lineNo === line.invoiceLineNo)?.quantity;
    if (line.poLineNo !== null && quantity !== undefined) reserved[line.poLineNo] = quantity;
  }
  if (
    vendor &&
    purchaseOrder &&
    task.invoice.invoiceNumber &&
    !duplicate &&
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
  const vendorSummary = vendor
    ? {
        vendorId: vendor.vendorId,
        name: vendor.name,
        defaultGlAccount: vendor.defaultGlAccount,
        currency: vendor.currency,
      }
    : null;
  const poSummary = purchaseOrder
    ? {
        poNumber: purchaseOrder.poNumber,
        costCenter: purchaseOrder.costCenter,
        lines: purchaseOrder.lines.map(({ lineNo, sku, description, glAccount }) => ({
          lineNo,
          sku,
          description,
          glAccount,
        })),
      }
    : null;
  await recordEvidence(
    task,
    'rule_result',
    'MatchToPurchaseOrder/rule_result',
    RULES_ACTOR,
    {
      rules: results,
      policy,
      policyHash: hashOf(policy),
      purchaseOrder: purchaseOrder?.poNumber ?? null,
      lineMatches: assessment.lines,
    },
    invoiceBusiness(task.invoice, vendor),
  );
  const match = { vendor: vendorSummary, purchaseOrder: poSummary, results, lines: assessment.lines };
  await updateCase(task.executionId, { match });
  return match;
}
