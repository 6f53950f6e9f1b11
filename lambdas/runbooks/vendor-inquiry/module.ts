import { z } from 'zod';
import { defineRunbook } from '#platform/runs/core/runbook-module.ts';
import { parseSender } from './core/identity.ts';

/** `POST /runbooks/vendor-inquiry/executions`: the message as it arrived. */
export const vendorInquiryRequestSchema = z.strictObject({
  message: z.strictObject({
    /** The From header: `billing@vendor.example` or `Name <billing@vendor.example>`. */
    from: z
      .string()
      .trim()
      .min(3)
      .max(320)
      .refine((from) => parseSender(from) !== null, 'one e-mail address, optionally as Name <address>'),
    subject: z.string().max(998),
    body: z.string().trim().min(1, 'the message has no text').max(20_000),
    /** What was attached, as the channel lists it; attachments are not read. */
    attachments: z
      .array(
        z.strictObject({
          name: z.string().min(1).max(255),
          contentType: z.string().min(1).max(255),
          size: z.number().int().nonnegative(),
        }),
      )
      .max(20)
      .optional(),
  }),
  /** When the message reached the inbox. @default the time the run is started */
  receivedAt: z.iso.datetime({ offset: true }).optional(),
});
export type VendorInquiryRequest = z.infer<typeof vendorInquiryRequestSchema>;

/** What `GET /executions/{id}` shows of an inquiry. */
export function vendorInquiryCaseView(found: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return {
    intent: found.intent ?? null,
    references: found.references ?? null,
    signals: found.signals ?? [],
    message: found.message ?? null,
    vendor: found.vendor ?? null,
    identity: found.identity ?? null,
    reply: found.reply ?? null,
    awaiting:
      (found.awaiting as { status?: string } | null | undefined)?.status === 'PENDING'
        ? found.awaiting
        : null,
    handover: found.handover ?? null,
    failure: found.failure ?? null,
  };
}

/**
 * Vendor inquiry: the sender identified by the vendor master's contact addresses before any data
 * is read; the reply built from the system of record by template, every number in it checked
 * against the facts, sent within the agent's pact or kept as a draft for a clerk.
 */
export const vendorInquiry = defineRunbook<VendorInquiryRequest>({
  name: 'vendor-inquiry',
  description:
    "Answers a vendor's question about its invoices from the system of record, to a sender identified by the vendor master only; anything else waits for a clerk.",
  policy: 'statemachines/policies/vendor-inquiry.json',
  request: vendorInquiryRequestSchema,
  startRoles: ['ap_clerk', 'controller', 'platform_admin'],
  intake: async () => (await import('./handlers/receive-inquiry.ts')).receiveInquiry,
  caseView: vendorInquiryCaseView,
  // A draft reply waits for an AP clerk (a controller may take it); never the person who submitted the inquiry.
  approvals: { ap_clerk: ['ap_clerk', 'controller'] },
  tasks: {
    ClassifyFunctionArn: 'VendorInquiryClassify',
    IdentifyAndGatherFactsFunctionArn: 'VendorInquiryFacts',
    ReplyFunctionArn: 'VendorInquiryReply',
    ClerkReviewFunctionArn: 'VendorInquiryClerkReview',
    RecordFailureFunctionArn: 'VendorInquiryRecordFailure',
  },
  functions: [
    {
      id: 'VendorInquiryClassify',
      entry: 'lambdas/runbooks/vendor-inquiry/handlers/classify-inquiry.ts',
      description: "Vendor inquiry: the message's intent and references, by the model, recorded.",
      tables: { work: 'readWrite' },
      evidence: 'write',
      model: 'invoke',
      timeoutSeconds: 60,
    },
    {
      id: 'VendorInquiryFacts',
      entry: 'lambdas/runbooks/vendor-inquiry/handlers/identify-and-gather.ts',
      description:
        "Vendor inquiry: the sender matched to the vendor master's contact addresses, then only that vendor's invoices read from holds, invoice cases and the ERP, recorded.",
      tables: { work: 'readWrite', reference: 'read', escrow: 'read' },
      evidence: 'write',
    },
    {
      id: 'VendorInquiryReply',
      entry: 'lambdas/runbooks/vendor-inquiry/handlers/send-reply.ts',
      description:
        'Vendor inquiry: the reply from the facts by template, checked, sent within the pact or drafted for a clerk.',
      tables: { work: 'readWrite', trust: 'read' },
      evidence: 'write',
      model: 'invoke',
      timeoutSeconds: 60,
    },
    {
      id: 'VendorInquiryClerkReview',
      entry: 'lambdas/runbooks/vendor-inquiry/handlers/clerk-review.ts',
      description:
        'Vendor inquiry: a draft reply waits for an AP clerk in the work room; approved, it is sent as checked; rejected or undecided, nothing is sent.',
      tables: { work: 'readWrite', reference: 'read' },
      evidence: 'write',
    },
    {
      id: 'VendorInquiryRecordFailure',
      entry: 'lambdas/runbooks/vendor-inquiry/handlers/record-failure.ts',
      description: 'Vendor inquiry: a failed run recorded and handed to a clerk; nothing sent.',
      tables: { work: 'readWrite' },
      evidence: 'write',
    },
  ],
});
