import { approvalTimeoutSeconds } from '#platform/approvals/adapters/approval-timeout.ts';
import { requireEnv, runbookVersionEnv } from '#platform/aws/resource-env.ts';
import { TollgateError } from '#platform/core/errors.ts';
import { sha256Hex } from '#platform/core/hashing.ts';
import { pdfAttachments } from '#platform/documents/adapters/pdf-attachments.ts';
import { embeddedEInvoice } from '#platform/documents/core/hybrid-invoice.ts';
import { evidenceWriter } from '#platform/evidence/adapters/evidence-writer.ts';
import type { IntakeContext } from '#platform/runs/core/runbook-module.ts';
import { loadAgentStanding } from '#platform/trust/adapters/trust-store-dynamodb.ts';
import { pactFor } from '#platform/trust/core/standing.ts';
import {
  APPROVAL_TIMEOUT_HOURS,
  RUNBOOK_AP_POLICY,
} from '#runbooks/invoice-reconciliation/adapters/ap-policy.ts';
import { APPROVE_ACTION } from '#runbooks/invoice-reconciliation/core/decide-invoice.ts';
import { boundAgentId, type InvoiceSubmission } from '#runbooks/invoice-reconciliation/core/submission.ts';

/**
 * The bound agent must be in the trust store with a pact for approving invoices; otherwise the
 * run would only end REJECTED for a reason the requester cannot see, so nothing starts.
 */
async function requireAgentWithPact(agentId: string, entity: string | null): Promise<void> {
  const standing = await loadAgentStanding(agentId);
  const boundTo = entity ? `entity ${entity}` : 'this runbook';
  if (!standing) {
    throw new TollgateError(
      'UNKNOWN_AGENT',
      `Agent ${agentId}, which the runbook policy binds to ${boundTo}, is not registered in the trust store. Register it (\`tollgate seed <erp.json>\` loads the sample agents) and submit again.`,
      { agentId },
    );
  }
  if (!pactFor(standing, APPROVE_ACTION)) {
    throw new TollgateError(
      'UNKNOWN_AGENT',
      `Agent ${agentId} has no pact for ${APPROVE_ACTION} (NO_PACT_FOR_ACTION), so it may not work invoices. Give it a pact for ${APPROVE_ACTION} and submit again.`,
      { agentId, action: APPROVE_ACTION },
    );
  }
}

/**
 * Receiving an invoice: the document goes into the evidence bucket, content-addressed, as the
 * first record of the execution; the run gets its reference, never the bytes (Step Functions
 * carries at most 256 KB).
 */
export async function receiveInvoice(
  context: IntakeContext<InvoiceSubmission>,
): Promise<Record<string, unknown>> {
  const submission = context.body;
  // The policy binds the agent to the entity; the request schema already refused any other.
  const entity = submission.entity ?? null;
  const agentId = boundAgentId(RUNBOOK_AP_POLICY, submission.entity);
  await requireAgentWithPact(agentId, entity);
  const invoice = submission.invoice;
  const [format, contentType, body] =
    'text' in invoice
      ? (['text', 'text/plain; charset=utf-8', invoice.text] as const)
      : 'pdfBase64' in invoice
        ? (['pdf', 'application/pdf', Buffer.from(invoice.pdfBase64, 'base64')] as const)
        : 'xml' in invoice
          ? (['xml', 'application/xml', invoice.xml] as const)
          : (['structured', 'application/json', JSON.stringify(invoice.structured)] as const);
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  // A PDF that embeds too much, or a Factur-X / ZUGFeRD XML that cannot be read, is refused before anything is written.
  if (format === 'pdf') embeddedEInvoice(await pdfAttachments(new Uint8Array(bytes)));
  const receipt = await evidenceWriter().append({
    recordType: 'action',
    runbook: context.runbook,
    runbookVersion: requireEnv(runbookVersionEnv(context.runbook)),
    executionId: context.executionId,
    eventKey: 'Submit/invoice_received',
    actor: { kind: 'person', id: context.principal.username, role: context.principal.roles.join(',') },
    details: {
      action: 'invoice_received',
      format,
      bytes: bytes.length,
      sha256: sha256Hex(bytes),
      agentId,
      entity,
    },
    payloads: [{ name: 'invoice-document', contentType, body: new Uint8Array(bytes) }],
  });
  return {
    request: {
      agentId,
      entity,
      document: { format, sha256: sha256Hex(bytes), recordKey: receipt.key },
    },
    approvalTimeoutSeconds: approvalTimeoutSeconds(APPROVAL_TIMEOUT_HOURS * 3600),
  };
}
