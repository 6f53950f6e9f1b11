import { z } from 'zod';
import { TollgateError } from '#platform/core/errors.ts';
import { invoiceSchema } from '#runbooks/invoice-reconciliation/core/invoice.ts';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** API Gateway takes 10 MB; a PDF of 7 MB is about 9.4 MB of base64. */
const MAX_PDF_BASE64 = 9_500_000;

export const invoiceSubmissionSchema = z.strictObject({
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
  agentId: z.string().regex(/^[a-z0-9][a-z0-9-]{2,63}$/, 'an agent id (lower-case letters, digits, dashes)'),
});
export type InvoiceSubmission = z.infer<typeof invoiceSubmissionSchema>;

/** What each runbook accepts as the body of `POST /runbooks/{runbook}/executions`. */
const REQUEST_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  'deployment-check': z.strictObject({ note: z.string().max(500).optional() }),
  'invoice-reconciliation': invoiceSubmissionSchema,
};

export function parseRunbookRequest(runbook: string, body: unknown): Record<string, unknown> {
  const schema = REQUEST_SCHEMAS[runbook];
  if (!schema) throw new TollgateError('UNKNOWN_RUNBOOK', `There is no runbook "${runbook}".`);
  const result = schema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'body';
    throw new TollgateError(
      'VALIDATION_FAILED',
      `${where}: ${issue?.message ?? 'invalid'}. Fix the request body and send it again.`,
      {
        issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      },
    );
  }
  return result.data as Record<string, unknown>;
}
