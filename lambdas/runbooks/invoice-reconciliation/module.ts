import { defineRunbook } from '#platform/runs/core/runbook-module.ts';
import runbookPolicy from '../../../statemachines/policies/ap-invoice.json' with { type: 'json' };
import { invoiceCaseView } from './core/case-view.ts';
import { type InvoiceSubmission, invoiceSubmissionSchema } from './core/submission.ts';

/**
 * AP three-way match: extract, validate arithmetic, match to PO and receipts, propose coding,
 * the trust gate, a person where the rules or the agent's authority say so, an escrow hold.
 */
export const invoiceReconciliation = defineRunbook<InvoiceSubmission>({
  name: 'invoice-reconciliation',
  description: 'AP three-way match of a vendor invoice to its PO and receipts, held in escrow once approved.',
  policy: 'statemachines/policies/ap-invoice.json',
  request: invoiceSubmissionSchema(runbookPolicy),
  startRoles: ['ap_clerk', 'controller', 'platform_admin'],
  intake: async () => (await import('./handlers/receive-invoice.ts')).receiveInvoice,
  caseView: invoiceCaseView,
  // A controller may decide what an AP clerk may; the reverse never.
  approvals: { ap_clerk: ['ap_clerk', 'controller'], controller: ['controller'] },
  tasks: {
    ExtractInvoiceFunctionArn: 'InvoiceExtract',
    ValidateArithmeticFunctionArn: 'InvoiceValidateArithmetic',
    MatchInvoiceFunctionArn: 'InvoiceMatch',
    ProposeCodingFunctionArn: 'InvoiceProposeCoding',
    DecideFunctionArn: 'InvoiceDecide',
    ReadApprovalFunctionArn: 'ReadApproval',
    RequestApprovalFunctionArn: 'InvoiceRequestApproval',
    EscalateApprovalFunctionArn: 'InvoiceEscalateApproval',
    HoldPaymentFunctionArn: 'InvoiceHoldPayment',
    ExplainFunctionArn: 'InvoiceExplain',
    RecordFailureFunctionArn: 'InvoiceRecordFailure',
  },
  functions: [
    {
      id: 'InvoiceExtract',
      entry: 'lambdas/runbooks/invoice-reconciliation/handlers/extract-invoice.ts',
      description: 'Invoice runbook: read the invoice (model for text and PDF, schema for e-invoices).',
      tables: { work: 'readWrite' },
      evidence: 'write',
      model: 'invoke',
      memoryMb: 1024,
      timeoutSeconds: 120,
    },
    {
      id: 'InvoiceValidateArithmetic',
      entry: 'lambdas/runbooks/invoice-reconciliation/handlers/validate-arithmetic.ts',
      description: "Invoice runbook: the invoice's own arithmetic.",
      tables: { work: 'readWrite', reference: 'read' },
      evidence: 'write',
    },
    {
      id: 'InvoiceMatch',
      entry: 'lambdas/runbooks/invoice-reconciliation/handlers/match-invoice.ts',
      description:
        'Invoice runbook: vendor, duplicates, PO, receipts, three-way match; reserves PO quantities.',
      tables: { work: 'readWrite', reference: 'readWrite' },
      evidence: 'write',
    },
    {
      id: 'InvoiceProposeCoding',
      entry: 'lambdas/runbooks/invoice-reconciliation/handlers/propose-coding.ts',
      description: 'Invoice runbook: GL account and cost center per line, with a rationale.',
      tables: { work: 'readWrite' },
      evidence: 'write',
      model: 'invoke',
      timeoutSeconds: 120,
    },
    {
      id: 'InvoiceDecide',
      entry: 'lambdas/runbooks/invoice-reconciliation/handlers/decide.ts',
      description: "Invoice runbook: the trust gate on the agent's earned authority.",
      tables: { work: 'readWrite', trust: 'read', escrow: 'read', reference: 'read' },
      evidence: 'write',
    },
    {
      id: 'InvoiceRequestApproval',
      entry: 'lambdas/runbooks/invoice-reconciliation/handlers/request-approval.ts',
      description: 'Invoice runbook: put the proposal in the work room for the required role.',
      tables: { work: 'readWrite' },
      evidence: 'write',
    },
    {
      id: 'InvoiceEscalateApproval',
      entry: 'lambdas/runbooks/invoice-reconciliation/handlers/escalate-approval.ts',
      description: 'Invoice runbook: an undecided approval expires and goes to a controller.',
      tables: { work: 'readWrite' },
      evidence: 'write',
    },
    {
      id: 'InvoiceHoldPayment',
      entry: 'lambdas/runbooks/invoice-reconciliation/handlers/hold-payment.ts',
      description: 'Invoice runbook: hold the approved total in escrow until the due date.',
      approvalLimits: true,
      tables: { work: 'readWrite', escrow: 'readWrite', trust: 'read', reference: 'read' },
      evidence: 'write',
    },
    {
      id: 'InvoiceExplain',
      entry: 'lambdas/runbooks/invoice-reconciliation/handlers/explain.ts',
      description: 'Invoice runbook: the plain-English account of the decision, to evidence.',
      tables: { work: 'readWrite', reference: 'readWrite' },
      evidence: 'write',
      model: 'invoke',
      timeoutSeconds: 120,
    },
    {
      id: 'InvoiceRecordFailure',
      entry: 'lambdas/runbooks/invoice-reconciliation/handlers/record-failure.ts',
      description: 'Invoice runbook: record what ended a failed run, to evidence and the case.',
      tables: { work: 'readWrite', reference: 'readWrite' },
      evidence: 'write',
    },
  ],
});
