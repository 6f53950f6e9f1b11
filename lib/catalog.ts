import type { TableId } from '#platform/aws/resource-env.ts';
import { ROLES, type Role } from '#platform/core/roles.ts';
import { RUNBOOK_START_ROLES } from '#platform/runs/core/runbook-access.ts';

/**
 * What Tollgate is made of, as data: every function with the resources it is granted, every
 * runbook with the functions its placeholders bind to, every API route with the function
 * behind it. The CDK stack and the local runtime both build from this list, so what runs
 * locally is wired exactly as what `cdk deploy` ships.
 */
export type TableAccess = 'read' | 'readWrite';
/**
 * write: append evidence records (the chain heads live in the work table, which the stack
 * grants with it); read: read and list evidence; digest: read, list and write digests, sign with the digest key.
 */
export type EvidenceAccess = 'write' | 'read' | 'digest';

export interface FunctionDefinition {
  /** Construct id, PascalCase. */
  readonly id: string;
  /** Handler module, relative to the project root; it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly tables: Partial<Readonly<Record<TableId, TableAccess>>>;
  /** Runbooks whose executions this function may start (API start handler). */
  readonly startsRunbooks?: readonly string[];
  /** Runbooks whose executions this function may describe. */
  readonly describesRunbooks?: readonly string[];
  /** Runbooks whose waiting tasks this function completes (SendTaskSuccess / SendTaskFailure). */
  readonly completesTasksOf?: readonly string[];
  /** Access to the evidence bucket; every runbook step that leaves evidence has 'write'. */
  readonly evidence?: EvidenceAccess;
  /** Runs on an EventBridge schedule every this many minutes (a timer in local mode). */
  readonly scheduleMinutes?: number;
  /** `invoke`: the function calls Bedrock Converse on the stage's model, under its guardrail. */
  readonly model?: 'invoke';
  /** @default 512 */
  readonly memoryMb?: number;
  /** @default 30 */
  readonly timeoutSeconds?: number;
}

export interface RunbookDefinition {
  /** File stem in `statemachines/`: `<name>.asl.json` and `<name>.md`. */
  readonly name: string;
  /** `${Placeholder}` in the ASL → function id from FUNCTIONS. */
  readonly tasks: Readonly<Record<string, string>>;
  /** Policy file (relative to the project root) that is part of the runbook version. */
  readonly policy?: string;
}

export interface RouteDefinition {
  readonly method: 'GET' | 'POST';
  /** API Gateway resource path with `{param}` segments. */
  readonly path: string;
  readonly functionId: string;
  /** Roles that may call the route at all; handlers apply finer rules. */
  readonly roles: readonly Role[];
  /** Headers API Gateway must see before the request reaches the function. */
  readonly requiredHeaders?: readonly string[];
  /** Query string parameters the route accepts. */
  readonly queryParameters?: readonly string[];
  /** The request carries a JSON object body. */
  readonly jsonBody?: boolean;
}

/** Runbooks the access list names and RUNBOOKS ships (a runbook may be listed before it ships); read after RUNBOOKS exists. */
const allRunbooks = (): string[] =>
  Object.keys(RUNBOOK_START_ROLES).filter((name) => RUNBOOKS.some((runbook) => runbook.name === name));

export const FUNCTIONS: readonly FunctionDefinition[] = [
  {
    id: 'StartExecution',
    entry: 'lambdas/platform/runs/handlers/start-execution.ts',
    description: 'API: start a runbook execution under an Idempotency-Key.',
    tables: { work: 'readWrite' },
    evidence: 'write',
    get startsRunbooks() {
      return allRunbooks();
    },
  },
  {
    id: 'GetExecution',
    entry: 'lambdas/platform/runs/handlers/get-execution.ts',
    description: 'API: status and outcome of one runbook execution.',
    tables: { work: 'read' },
    get describesRunbooks() {
      return allRunbooks();
    },
  },
  {
    id: 'DeploymentCheckWriteProbe',
    entry: 'lambdas/runbooks/deployment-check/handlers/write-probe.ts',
    description: 'Runbook deployment-check: write a probe record to the work table and evidence of it.',
    tables: { work: 'readWrite' },
    evidence: 'write',
  },
  {
    id: 'DeploymentCheckReadProbe',
    entry: 'lambdas/runbooks/deployment-check/handlers/read-probe.ts',
    description: 'Runbook deployment-check: read the probe back and compare it byte for byte.',
    tables: { work: 'read' },
  },
  {
    id: 'EvidenceDigest',
    entry: 'lambdas/platform/evidence/handlers/write-digest.ts',
    description:
      'Evidence: write the next signed digest of every evidence object written since the last one.',
    tables: {},
    evidence: 'digest',
    scheduleMinutes: 5,
    timeoutSeconds: 300,
  },
  {
    id: 'GetAgentControls',
    entry: 'lambdas/platform/trust/handlers/get-agent-controls.ts',
    description: "API: an agent's score, tier, pacts, limits, today's usage and open escrow exposure.",
    tables: { trust: 'read', escrow: 'read' },
  },
  {
    id: 'ExpireHolds',
    entry: 'lambdas/platform/escrow/handlers/expire-holds.ts',
    description: 'Escrow sweeper: expire open holds past their expiry, returning the money to available.',
    tables: { escrow: 'readWrite' },
    scheduleMinutes: 15,
    timeoutSeconds: 300,
  },
  {
    id: 'ListApprovals',
    entry: 'lambdas/platform/approvals/handlers/list-approvals.ts',
    description: 'API: the approvals work room, filtered to what the caller may decide.',
    tables: { work: 'read' },
  },
  {
    id: 'DecideApproval',
    entry: 'lambdas/platform/approvals/handlers/decide-approval.ts',
    description: 'API: a person approves or rejects a pending approval; the waiting run resumes.',
    tables: { work: 'readWrite' },
    evidence: 'write',
    completesTasksOf: ['invoice-reconciliation'],
  },
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
    id: 'ApprovalBacklogCheck',
    entry: 'lambdas/platform/approvals/handlers/approval-backlog.ts',
    description: 'Operations: publish how many approvals are pending and how many are past their deadline.',
    tables: { work: 'read' },
    scheduleMinutes: 15,
  },
  {
    id: 'InvoiceRecordFailure',
    entry: 'lambdas/runbooks/invoice-reconciliation/handlers/record-failure.ts',
    description: 'Invoice runbook: record what ended a failed run, to evidence and the case.',
    tables: { work: 'readWrite', reference: 'readWrite' },
    evidence: 'write',
  },
];

export const RUNBOOKS: readonly RunbookDefinition[] = [
  {
    name: 'deployment-check',
    tasks: {
      WriteProbeFunctionArn: 'DeploymentCheckWriteProbe',
      ReadProbeFunctionArn: 'DeploymentCheckReadProbe',
    },
  },
  {
    name: 'invoice-reconciliation',
    policy: 'statemachines/policies/ap-invoice.json',
    tasks: {
      ExtractInvoiceFunctionArn: 'InvoiceExtract',
      ValidateArithmeticFunctionArn: 'InvoiceValidateArithmetic',
      MatchInvoiceFunctionArn: 'InvoiceMatch',
      ProposeCodingFunctionArn: 'InvoiceProposeCoding',
      DecideFunctionArn: 'InvoiceDecide',
      RequestApprovalFunctionArn: 'InvoiceRequestApproval',
      EscalateApprovalFunctionArn: 'InvoiceEscalateApproval',
      HoldPaymentFunctionArn: 'InvoiceHoldPayment',
      ExplainFunctionArn: 'InvoiceExplain',
      RecordFailureFunctionArn: 'InvoiceRecordFailure',
    },
  },
];

export const ROUTES: readonly RouteDefinition[] = [
  {
    method: 'POST',
    path: '/runbooks/{runbook}/executions',
    functionId: 'StartExecution',
    roles: [...ROLES],
    requiredHeaders: ['Idempotency-Key'],
    jsonBody: true,
  },
  {
    method: 'GET',
    path: '/executions/{executionId}',
    functionId: 'GetExecution',
    roles: [...ROLES],
  },
  {
    method: 'GET',
    path: '/agents/{agentId}/controls',
    functionId: 'GetAgentControls',
    roles: ['ap_clerk', 'controller', 'fpa', 'auditor', 'platform_admin'],
  },
  {
    method: 'GET',
    path: '/approvals',
    functionId: 'ListApprovals',
    roles: ['ap_clerk', 'controller'],
    queryParameters: ['status'],
  },
  {
    method: 'POST',
    path: '/approvals/{approvalId}/decision',
    functionId: 'DecideApproval',
    roles: ['ap_clerk', 'controller'],
    jsonBody: true,
  },
];

export function functionById(id: string): FunctionDefinition {
  const found = FUNCTIONS.find((fn) => fn.id === id);
  if (!found) throw new Error(`Catalog: no function with id "${id}" (see FUNCTIONS in lib/catalog.ts).`);
  return found;
}
