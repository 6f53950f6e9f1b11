import * as z from 'zod';
import { TollgateError } from '#platform/core/errors.ts';
import { MAX_DOCUMENT_BODY_BYTES } from '#platform/documents/core/body-limits.ts';
import { readEInvoice } from '#platform/documents/core/read-e-invoice.ts';
import { invoiceSchema } from './invoice.ts';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** Within the route's body limit (the same locally and in AWS): a PDF of about 3.7 MB as base64. */
const MAX_PDF_BASE64 = MAX_DOCUMENT_BODY_BYTES - 1_000;

const AGENT_ID = /^[a-z0-9][a-z0-9-]{2,63}$/;

const ENTITY = /^[A-Z0-9][A-Z0-9_-]{0,15}$/;

/** The part of the runbook policy that says which agent works which entity's invoices. */
export interface AgentBinding {
  readonly agentId?: string | undefined;
  readonly agentsByEntity?: Readonly<Record<string, string>> | undefined;
}

/**
 * The body of `POST /runbooks/invoice-reconciliation/executions`: the requester may name the
 * legal entity the invoice is for (never the agent — older clients may send the bound one), and
 * the policy decides which agent's authority applies.
 */
export function invoiceSubmissionSchema(binding: AgentBinding) {
  const entities = Object.keys(binding.agentsByEntity ?? {});
  return invoiceSubmissionShape.superRefine((body, context) => {
    if ('xml' in body.invoice) {
      const problem = eInvoiceProblem(body.invoice.xml);
      if (problem) {
        context.addIssue({
          code: 'custom',
          path: ['invoice', 'xml'],
          message: problem.message,
          // Not a malformed field: a file that is not an e-invoice, or one past a limit, with the code that says so.
          params: { errorCode: problem.code },
        });
        return;
      }
    }
    if (body.entity !== undefined && !entities.includes(body.entity)) {
      context.addIssue({
        code: 'custom',
        path: ['entity'],
        message: entities.length
          ? `an entity this runbook works: ${entities.join(', ')}`
          : 'omit entity: this runbook works for one entity',
      });
      return;
    }
    const bound = boundAgentId(binding, body.entity);
    if (body.agentId !== undefined && body.agentId !== bound)
      context.addIssue({
        code: 'custom',
        path: ['agentId'],
        message: `this runbook is worked by agent ${bound}${body.entity ? ` for ${body.entity}` : ''}; omit agentId or send that one`,
        // Not a malformed field: an agent the runbook does not know, with the code that says so.
        params: { errorCode: 'UNKNOWN_AGENT' },
      });
  });
}

/** Why an e-invoice cannot be read (EINVOICE_INVALID, EINVOICE_TOO_LARGE), or undefined when it can. */
function eInvoiceProblem(xml: string): TollgateError | undefined {
  try {
    readEInvoice(xml);
    return undefined;
  } catch (error) {
    if (error instanceof TollgateError) return error;
    throw error;
  }
}

const INVOICE_SHAPES = ['text', 'pdfBase64', 'structured', 'xml'] as const;

/**
 * `{}` or an unknown form: name the accepted shapes. A known form with a bad field: say which
 * field of that form, not zod's "Invalid input" for the union.
 */
function invoiceShapeError(issue: {
  readonly input?: unknown;
  readonly errors?: readonly (readonly { path: PropertyKey[]; message: string }[])[];
}): string | undefined {
  const { input } = issue;
  const keys = input !== null && typeof input === 'object' ? Object.keys(input) : [];
  const shape = INVOICE_SHAPES.findIndex((key) => keys.includes(key));
  if (shape < 0)
    return 'send the invoice as one of { "text": "..." } | { "pdfBase64": "..." } | { "structured": { ... } } | { "xml": "..." } (text | pdfBase64 | structured | xml)';
  const first = issue.errors?.[shape]?.[0];
  return first ? `${first.path.map(String).join('.')}: ${first.message}` : undefined;
}

const invoiceSubmissionShape = z.strictObject({
  invoice: z.union(
    [
      z.strictObject({ text: z.string().min(20, 'an invoice text of at least 20 characters').max(200_000) }),
      z.strictObject({
        pdfBase64: z
          .string()
          .max(
            MAX_PDF_BASE64,
            'a PDF of at most about 3.7 MB (larger documents are uploaded, not sent in the body)',
          )
          .regex(BASE64, 'base64')
          .refine(
            (value) => Buffer.from(value.slice(0, 8), 'base64').subarray(0, 4).toString('latin1') === '%PDF',
            'a PDF document',
          ),
      }),
      z.strictObject({ structured: invoiceSchema }),
      // An EN 16931 e-invoice (UBL or CII); its size and syntax are checked by reading it, below.
      z.strictObject({ xml: z.string() }),
    ],
    { error: invoiceShapeError },
  ),
  agentId: z.string().regex(AGENT_ID, 'an agent id (lower-case letters, digits, dashes)').optional(),
  /** The legal entity (company code) the invoice is billed to, when the runbook works several. */
  entity: z.string().regex(ENTITY, 'a company code (capital letters, digits, dashes)').optional(),
});
export type InvoiceSubmission = z.infer<typeof invoiceSubmissionShape>;

/** The agent the runbook's policy binds to the entity (or to the runbook); a policy without one cannot start runs. */
export function boundAgentId(binding: AgentBinding, entity?: string): string {
  const agentId = entity === undefined ? binding.agentId : binding.agentsByEntity?.[entity];
  if (!agentId || !AGENT_ID.test(agentId)) {
    throw new Error(
      entity === undefined
        ? 'The invoice runbook policy must name the agent that works it (agentId).'
        : `The invoice runbook policy names no agent for entity ${entity} (agentsByEntity).`,
    );
  }
  return agentId;
}
