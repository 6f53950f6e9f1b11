import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { DynamoDbEvidenceChain } from '#platform/evidence/adapters/evidence-chain-dynamodb.ts';
import { evidenceWriter } from '#platform/evidence/adapters/evidence-writer.ts';
import type {
  EvidenceActor,
  EvidenceBusiness,
  EvidenceInput,
  EvidenceRecord,
  RecordType,
} from '#platform/evidence/core/records.ts';
import { parseTaskEvent, type RunbookContext } from '#platform/runs/handlers/task-event.ts';
import type { Invoice } from '#runbooks/invoice-reconciliation/core/invoice.ts';

/** What every invoice-reconciliation Task receives besides its own fields. */
const invoiceTaskShape = {
  agentId: z.string().min(1),
  requestedBy: z.object({ userId: z.string(), username: z.string(), roles: z.array(z.string()) }),
};

export function parseInvoiceTask<T extends z.ZodRawShape>(shape: T, event: unknown, context: Context) {
  return parseTaskEvent({ ...invoiceTaskShape, ...shape }, event, context);
}

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
    ...(invoice?.total && invoice.currency ? { amount: invoice.total, currency: invoice.currency } : {}),
    ...extra,
  };
}

/** Appends one evidence record for this step; a failed write fails the step (the runbook retries it). */
export function recordEvidence(
  task: RunbookContext,
  recordType: RecordType,
  eventKey: string,
  actor: EvidenceActor,
  details: Record<string, unknown>,
  business?: EvidenceBusiness,
  payloads?: EvidenceInput['payloads'],
) {
  return evidenceWriter().append({
    recordType,
    runbook: task.runbook,
    runbookVersion: task.runbookVersion,
    executionId: task.executionId,
    eventKey,
    actor,
    details,
    ...(business ? { business } : {}),
    ...(payloads ? { payloads } : {}),
  });
}

const chain = new DynamoDbEvidenceChain();

/**
 * The record an earlier attempt of this step already left. A retried step replays it rather
 * than call the model or decide again: one event, one record, one outcome.
 */
export async function earlierRecord(
  task: RunbookContext,
  eventKey: string,
): Promise<EvidenceRecord | undefined> {
  return (await chain.findEvent(task.executionId, eventKey))?.record;
}
