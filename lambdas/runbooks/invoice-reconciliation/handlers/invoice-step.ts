import * as z from 'zod';
import type { EvidenceActor, EvidenceBusiness } from '#platform/evidence/core/records.ts';
import type { Invoice } from '#runbooks/invoice-reconciliation/core/invoice.ts';

/** What every invoice-reconciliation Task receives besides its own fields. */
export const INVOICE_TASK = {
  agentId: z.string().min(1),
  requestedBy: z.object({ userId: z.string(), username: z.string(), roles: z.array(z.string()) }),
};

export function agentActor(agentId: string): EvidenceActor {
  return { kind: 'agent', id: agentId, role: 'invoice_agent' };
}

export const RULES_ACTOR: EvidenceActor = {
  kind: 'system',
  id: 'tollgate-rules',
  role: 'deterministic_rules',
};

/** The fields auditors filter on, from what the invoice says (and the vendor master when known). */
export function invoiceBusiness(
  invoice: Invoice | undefined,
  vendor?: { vendorId: string; name: string } | null,
  extra: Pick<EvidenceBusiness, 'decision' | 'reasonCodes'> = {},
): EvidenceBusiness {
  return {
    ...(vendor
      ? { vendorId: vendor.vendorId, vendorName: vendor.name }
      : invoice?.vendorName
        ? { vendorName: invoice.vendorName }
        : {}),
    ...(invoice?.invoiceNumber ? { invoiceNumber: invoice.invoiceNumber } : {}),
    ...(invoice?.invoiceDate ? { invoiceDate: invoice.invoiceDate } : {}),
    ...(invoice?.total && invoice.currency ? { amount: invoice.total, currency: invoice.currency } : {}),
    ...extra,
  };
}
