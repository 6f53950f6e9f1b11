import * as z from 'zod';
import { defineRunbook } from '#platform/runs/core/runbook-module.ts';
import { newBankDetailsSchema } from './core/bank-change.ts';

/** `POST /runbooks/vendor-bank-change/executions`: which vendor, the new details, where the request came from, and why. */
const directChangeSchema = z.strictObject({
  vendorId: z.string().min(1).max(64),
  /** `{bankAccount, routingNumber}` (US account, ABA routing) or `{iban, bic?}`; check digits must hold. */
  newBankDetails: newBankDetailsSchema,
  origin: z.strictObject({
    channel: z.enum(['email', 'letter', 'portal', 'phone']),
    /** The sender as the channel shows it: an e-mail address, a portal user, a name on a letter. */
    sender: z.string().trim().min(1).max(320).optional(),
    receivedAt: z.iso.datetime({ offset: true }),
  }),
  reason: z.string().trim().min(3, 'why the vendor says the details changed').max(1000),
});

/** Or: the new remit-to an invoice run read, taken as the request (the invoice is its origin). */
const fromInvoiceSchema = z.strictObject({
  fromInvoice: z.strictObject({ executionId: z.string().trim().min(1).max(128) }),
  reason: z.string().trim().min(3).max(1000).optional(),
});

export const vendorBankChangeRequestSchema = z.union([directChangeSchema, fromInvoiceSchema]);
export type VendorBankChangeRequest = z.infer<typeof vendorBankChangeRequestSchema>;

interface StoredApproval {
  approvalId?: string;
  status?: string;
  requiredRole?: string;
  decision?: string;
  decidedBy?: string;
  decidedAt?: string;
  comment?: string;
  deadline?: string;
}

/** What `GET /executions/{id}` shows of a bank-detail change. */
export function vendorBankChangeCaseView(found: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const comparison = found.comparison as
    | { vendorId?: string; differences?: unknown; riskFlags?: unknown }
    | undefined;
  const awaiting = found.awaiting as StoredApproval | null | undefined;
  const outcome = found.outcome as { status?: string } | undefined;
  return {
    vendorId: comparison?.vendorId ?? null,
    differences: comparison?.differences ?? [],
    riskFlags: comparison?.riskFlags ?? [],
    // The step that waits names what it waits for; the platform's own `approval` field names only the latest.
    awaiting: awaiting?.status === 'PENDING' ? awaiting : null,
    verification: found.verification ?? null,
    approval: found.controllerApproval ?? null,
    outcome: outcome ?? (found.failure ? { status: 'FAILED', ...(found.failure as object) } : null),
  };
}

/**
 * Vendor bank-detail change: compared with the vendor master and its origin, verified by a call-back
 * on a number from the vendor master, approved by a controller who is neither the requester nor the
 * verifier, then written only if the master still holds the details that were verified against.
 */
export const vendorBankChange = defineRunbook<VendorBankChangeRequest>({
  name: 'vendor-bank-change',
  description:
    "Changes a vendor's bank details: compared with the master, verified by a call-back on a number on file, approved by a different controller, then a cooling-off period before the next payment.",
  policy: 'statemachines/policies/vendor-bank-change.json',
  request: vendorBankChangeRequestSchema,
  startRoles: ['ap_clerk', 'controller', 'platform_admin'],
  intake: async () => (await import('./handlers/receive-change.ts')).receiveChange,
  caseView: vendorBankChangeCaseView,
  // The call-back is an approval of role ap_clerk that a clerk or a controller may decide; the change itself only a controller.
  approvals: { ap_clerk: ['ap_clerk', 'controller'], controller: ['controller'] },
  tasks: {
    CompareFunctionArn: 'VendorBankChangeCompare',
    RequestDecisionFunctionArn: 'VendorBankChangeRequestDecision',
    ReadDecisionFunctionArn: 'VendorBankChangeReadDecision',
    ApplyChangeFunctionArn: 'VendorBankChangeApply',
    CloseFunctionArn: 'VendorBankChangeClose',
  },
  functions: [
    {
      id: 'VendorBankChangeCompare',
      entry: 'lambdas/runbooks/vendor-bank-change/handlers/compare-change.ts',
      description: 'Vendor bank change: differences against the vendor master and risk flags, recorded.',
      tables: { work: 'readWrite', reference: 'read' },
      evidence: 'write',
    },
    {
      id: 'VendorBankChangeRequestDecision',
      entry: 'lambdas/runbooks/vendor-bank-change/handlers/request-decision.ts',
      description:
        'Vendor bank change: the call-back verification, then the controller approval, in the work room.',
      tables: { work: 'readWrite', reference: 'read' },
      evidence: 'write',
    },
    {
      id: 'VendorBankChangeReadDecision',
      entry: 'lambdas/runbooks/vendor-bank-change/handlers/read-decision.ts',
      description:
        'Vendor bank change: a decision read from the work room, with separation of duties checked.',
      tables: { work: 'readWrite', reference: 'read' },
      evidence: 'write',
    },
    {
      id: 'VendorBankChangeApply',
      entry: 'lambdas/runbooks/vendor-bank-change/handlers/apply-change.ts',
      description:
        'Vendor bank change: both decisions re-read, then the new details written only over the verified ones.',
      tables: { work: 'readWrite', reference: 'readWrite' },
      evidence: 'write',
    },
    {
      id: 'VendorBankChangeClose',
      entry: 'lambdas/runbooks/vendor-bank-change/handlers/close-change.ts',
      description: 'Vendor bank change: a change not made (rejected, undecided or failed) says why.',
      tables: { work: 'readWrite' },
      evidence: 'write',
    },
  ],
});
