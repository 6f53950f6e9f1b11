import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDb } from '#platform/aws/dynamodb-client.ts';
import { tableName } from '#platform/aws/resource-env.ts';
import { rethrowTransient } from '#platform/aws/store-errors.ts';
import { DynamoDbEscrowLedger } from '#platform/escrow/adapters/escrow-ledger-dynamodb.ts';
import type { EscrowLedger } from '#platform/escrow/core/escrow-ledger.ts';
import { getCase } from '#platform/runs/adapters/case-store-dynamodb.ts';
import { DynamoDbSystemOfRecord } from '#platform/system-of-record/adapters/system-of-record-dynamodb.ts';
import {
  normaliseDocumentNumber,
  type SystemOfRecord,
  type Vendor,
} from '#platform/system-of-record/core/reference-data.ts';
import { invoiceNumberKey } from '#runbooks/invoice-reconciliation/core/duplicates.ts';
import {
  factFromCase,
  factFromHold,
  factFromProcessed,
  type InquiryFacts,
  type InvoiceCase,
  type InvoiceFact,
} from '#runbooks/vendor-inquiry/core/facts.ts';
import type { InquiryPolicy } from '#runbooks/vendor-inquiry/core/policy.ts';

/** Where facts about one vendor's invoice are read; the vendor is always the identified one. */
export interface FactSources {
  readonly ledger: Pick<EscrowLedger, 'getHold'>;
  readonly sor: Pick<SystemOfRecord, 'findProcessedInvoice'>;
  /** The invoice run that holds the vendor's invoice number, and its case. */
  invoiceCase(vendorId: string, invoiceNumber: string): Promise<InvoiceCase | undefined>;
}

/** The invoice run's claim on vendor + invoice number names its execution; its case says where it is. */
async function invoiceCaseOf(vendorId: string, invoiceNumber: string): Promise<InvoiceCase | undefined> {
  let claimedBy: unknown;
  try {
    const { Item } = await dynamoDb.send(
      new GetCommand({
        TableName: tableName('work'),
        Key: { pk: `CLAIM#${vendorId}#${invoiceNumberKey(invoiceNumber)}`, sk: 'CLAIM' },
        ConsistentRead: true,
      }),
    );
    claimedBy = Item?.claimedBy;
  } catch (error) {
    rethrowTransient(error);
  }
  if (typeof claimedBy !== 'string') return undefined;
  const found = await getCase(claimedBy);
  if (!found) return undefined;
  const invoice = (found.invoice ?? {}) as { invoiceNumber?: unknown };
  return {
    invoiceNumber: typeof invoice.invoiceNumber === 'string' ? invoice.invoiceNumber : null,
    vendorId,
    finalStatus: typeof found.finalStatus === 'string' ? found.finalStatus : null,
    decision: typeof found.decision === 'string' ? found.decision : null,
    reasonCodes: Array.isArray(found.reasonCodes) ? (found.reasonCodes as string[]) : [],
  };
}

export function dynamoDbFactSources(): FactSources {
  return {
    ledger: new DynamoDbEscrowLedger(),
    sor: new DynamoDbSystemOfRecord(),
    invoiceCase: invoiceCaseOf,
  };
}

/**
 * The facts about the invoices the message names, read only under the identified vendor: the
 * escrow hold that pays each (keyed by vendor and number, its payee checked again), else the
 * invoice run's case, else the ERP's processed invoice. A number the vendor has no invoice under
 * is counted, never named: it may be another vendor's.
 */
export async function gatherFacts(
  vendor: Pick<Vendor, 'vendorId' | 'name' | 'currency'>,
  invoiceNumbers: readonly string[],
  policy: Pick<InquiryPolicy, 'shareableRejectionReasons' | 'genericRejectionReason'>,
  sources: FactSources = dynamoDbFactSources(),
  now: Date = new Date(),
): Promise<InquiryFacts> {
  const invoices: InvoiceFact[] = [];
  const seen = new Set<string>();
  let notFound = 0;
  for (const asked of invoiceNumbers) {
    const key = normaliseDocumentNumber(asked);
    if (!key || seen.has(key)) continue;
    seen.add(key);
    const fact = await factOf(vendor, asked, policy, sources, now);
    if (fact) invoices.push(fact);
    else notFound += 1;
  }
  return { vendorId: vendor.vendorId, vendorName: vendor.name, invoices, notFound };
}

async function factOf(
  vendor: Pick<Vendor, 'vendorId' | 'currency'>,
  asked: string,
  policy: Pick<InquiryPolicy, 'shareableRejectionReasons' | 'genericRejectionReason'>,
  sources: FactSources,
  now: Date,
): Promise<InvoiceFact | undefined> {
  const hold = await sources.ledger.getHold(`AP-${vendor.vendorId}-${normaliseDocumentNumber(asked)}`);
  if (hold && hold.payee === vendor.vendorId) return factFromHold(hold.source?.document ?? asked, hold, now);
  const found = await sources.invoiceCase(vendor.vendorId, asked);
  if (found && found.vendorId === vendor.vendorId)
    return factFromCase(
      found.invoiceNumber ?? asked,
      found,
      policy.shareableRejectionReasons,
      policy.genericRejectionReason,
    );
  const processed = await sources.sor.findProcessedInvoice(vendor.vendorId, asked);
  if (processed && processed.vendorId === vendor.vendorId)
    return factFromProcessed(processed, vendor.currency, policy.genericRejectionReason);
  return undefined;
}
