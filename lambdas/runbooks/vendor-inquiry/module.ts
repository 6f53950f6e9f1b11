import * as z from 'zod';
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
    bankChange: found.bankChange ?? null,
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
    AgentFunctionArn: 'VendorInquiryAgent',
    RecordsFunctionArn: 'VendorInquiryRecords',
  },
  // Two functions, each serving several Tasks (`step` names which): the stack is near its
  // resource limit, and these steps share their grants.
  functions: [
    {
      id: 'VendorInquiryAgent',
      entry: 'lambdas/runbooks/vendor-inquiry/handlers/agent-steps.ts',
      description:
        "Vendor inquiry, the model's steps: the message classified; the reply from the facts by template, checked, sent within the pact or drafted for a clerk.",
      tables: { work: 'readWrite', trust: 'read' },
      evidence: 'write',
      model: 'invoke',
      timeoutSeconds: 60,
    },
    {
      id: 'VendorInquiryRecords',
      entry: 'lambdas/runbooks/vendor-inquiry/handlers/record-steps.ts',
      description:
        "Vendor inquiry, the deterministic steps: the sender matched to the vendor master, then only that vendor's invoices read; a draft's clerk review; a failure recorded.",
      tables: { work: 'readWrite', reference: 'read', escrow: 'read' },
      evidence: 'write',
      // A bank-detail change by message is handed to that runbook (call-back, controller), never applied here.
      startsRunbooks: ['vendor-bank-change'],
    },
  ],
});
