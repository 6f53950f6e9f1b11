import { z } from 'zod';
import { invoiceSchema } from './invoice.ts';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** API Gateway takes 10 MB; a PDF of 7 MB is about 9.4 MB of base64. */
const MAX_PDF_BASE64 = 9_500_000;

const AGENT_ID = /^[a-z0-9][a-z0-9-]{2,63}$/;

/**
 * The body of `POST /runbooks/invoice-reconciliation/executions` for a runbook bound to one
 * agent: the requester may name that agent (older clients do) but never choose another.
 */
export function invoiceSubmissionSchema(boundAgentId: string) {
  return invoiceSubmissionShape.refine(
    (body) => body.agentId === undefined || body.agentId === boundAgentId,
    {
      path: ['agentId'],
      message: `this runbook is worked by agent ${boundAgentId}; omit agentId or send that one`,
    },
  );
}

const invoiceSubmissionShape = z.strictObject({
  invoice: z.union([
    z.strictObject({ text: z.string().min(20, 'an invoice text of at least 20 characters').max(200_000) }),
    z.strictObject({
      pdfBase64: z
        .string()
        .max(MAX_PDF_BASE64, 'a PDF of at most 7 MB')
        .regex(BASE64, 'base64')
        .refine(
          (value) => Buffer.from(value.slice(0, 8), 'base64').subarray(0, 4).toString('latin1') === '%PDF',
          'a PDF document',
        ),
    }),
    z.strictObject({ structured: invoiceSchema }),
  ]),
  agentId: z.string().regex(AGENT_ID, 'an agent id (lower-case letters, digits, dashes)').optional(),
});
export type InvoiceSubmission = z.infer<typeof invoiceSubmissionShape>;

/** The agent the runbook's policy binds it to; a policy without one cannot start runs. */
export function boundAgentId(policy: { readonly agentId?: string | undefined }): string {
  if (!policy.agentId || !AGENT_ID.test(policy.agentId)) {
    throw new Error('The invoice runbook policy must name the agent that works it (agentId).');
  }
  return policy.agentId;
}
