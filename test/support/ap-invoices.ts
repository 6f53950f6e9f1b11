import { join } from 'node:path';
import { expect } from 'vitest';
import { decimal, percentOfDecimal, showDecimal, sumDecimals, times } from '#platform/core/decimal.ts';
import { readSnapshot } from '../../bin/commands/seed.ts';
import { PROJECT_ROOT } from '../../lib/project-root.ts';
import type { Harness } from './local-stack-harness.ts';

/** The labelled AP sample set beside the project, and its system-of-record snapshot. */
export const SAMPLES = join(PROJECT_ROOT, '..', 'shared', 'samples', 'ap-invoices');
export const erp = readSnapshot(join(SAMPLES, 'erp.json'));

export interface LineSpec {
  readonly lineNo: number;
  readonly sku: string;
  readonly quantity: string;
}

/** Half-up to cents, as the tax rule rounds. */
export function cents(value: ReturnType<typeof decimal>): string {
  const scaled = value.numerator * 100n;
  const whole = scaled / value.denominator;
  const up = (scaled % value.denominator) * 2n >= value.denominator ? 1n : 0n;
  return showDecimal({ numerator: whole + up, denominator: 100n }, 2);
}

/** A structured e-invoice on a sample PO at the PO's prices and agreed tax, paid to the vendor master. */
export function structuredInvoice(poNumber: string, invoiceNumber: string, lines: readonly LineSpec[]) {
  const po = erp.purchaseOrders.find((p) => p.poNumber === poNumber);
  const vendor = erp.vendors.find((v) => v.vendorId === po?.vendorId);
  if (!po || !vendor) throw new Error(`No PO ${poNumber} in the sample snapshot.`);
  const priced = lines.map((line) => {
    const poLine = po.lines.find((p) => p.sku === line.sku);
    if (!poLine) throw new Error(`No ${line.sku} on ${poNumber}.`);
    return {
      lineNo: line.lineNo,
      sku: line.sku,
      description: poLine.description,
      quantity: line.quantity,
      unitPrice: poLine.unitPrice,
      amount: showDecimal(times(decimal(poLine.unitPrice), decimal(line.quantity)), 2),
    };
  });
  const subtotal = sumDecimals(priced.map((l) => decimal(l.amount)));
  const tax = cents(percentOfDecimal(subtotal, decimal(po.taxRatePercent ?? '0')));
  return {
    invoiceNumber,
    vendorName: vendor.name,
    vendorTaxId: vendor.taxId,
    invoiceDate: '2026-11-02',
    dueDate: '2026-12-02' as string | null,
    currency: po.currency,
    poNumber,
    lines: priced,
    subtotal: showDecimal(subtotal, 2),
    tax,
    total: showDecimal(sumDecimals([subtotal, decimal(tax)]), 2),
    remitTo: { bankAccount: vendor.bankAccount, routingNumber: vendor.routingNumber } as {
      bankAccount: string | null;
      routingNumber: string | null;
    },
  };
}

/** The vendor of a sample PO, as the vendor master has it. */
export function vendorOfPo(poNumber: string) {
  const po = erp.purchaseOrders.find((p) => p.poNumber === poNumber);
  const vendor = erp.vendors.find((v) => v.vendorId === po?.vendorId);
  if (!vendor) throw new Error(`No vendor for ${poNumber} in the sample snapshot.`);
  return vendor;
}

/**
 * Submits an invoice as an AP clerk and waits for its decision: the run's end, or its approval
 * waiting in the work room. `agentId` null sends none (the runbook's bound agent decides).
 */
export async function submitInvoice(
  harness: Harness,
  key: string,
  invoice: { structured: unknown } | { text: string },
  agentId: string | null = 'invoice-review-agent',
): Promise<any> {
  const response = await harness.api('POST', '/runbooks/invoice-reconciliation/executions', {
    user: 'avery.clerk',
    body: agentId === null ? { invoice } : { invoice, agentId },
    headers: { 'Idempotency-Key': key },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(202);
  return harness.waitForDecision(response.body.executionId);
}
