import { ROLES, type Role } from '#platform/core/roles.ts';
import type { FunctionDefinition, RunbookModule } from '#platform/runs/core/runbook-module.ts';
import { runbookModules } from '#runbooks/registry.ts';

export type {
  EvidenceAccess,
  FunctionDefinition,
  RunbookDefinition,
  TableAccess,
} from '#platform/runs/core/runbook-module.ts';

/**
 * What Tollgate is made of, as data: the platform's functions and routes here, each runbook's
 * functions and bindings from its module in the registry (`lambdas/runbooks/registry.ts`).
 * The CDK stack and the local runtime both build from this, so what runs locally is wired
 * exactly as what `cdk deploy` ships.
 */
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

const allRunbooks = (): string[] => runbookModules().map((module) => module.name);
/** Runbooks that ask people for approvals: their waiting tasks are completed by the decision route. */
const approvingRunbooks = (): string[] =>
  runbookModules()
    .filter((module) => Object.keys(module.approvals).length > 0)
    .map((module) => module.name);

const PLATFORM_FUNCTIONS: readonly FunctionDefinition[] = [
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
    approvalLimits: true,
  },
  {
    id: 'DecideApproval',
    entry: 'lambdas/platform/approvals/handlers/decide-approval.ts',
    description: 'API: a person approves or rejects a pending approval; the waiting run resumes.',
    tables: { work: 'readWrite' },
    evidence: 'write',
    approvalLimits: true,
    get completesTasksOf() {
      return approvingRunbooks();
    },
  },
  {
    id: 'ReadApproval',
    entry: 'lambdas/platform/approvals/handlers/read-approval.ts',
    description:
      'Runbook step: read the decision a waiting run resumed with from the work room, never from the task output.',
    tables: { work: 'read' },
  },
  {
    id: 'ApprovalBacklogCheck',
    entry: 'lambdas/platform/approvals/handlers/approval-backlog.ts',
    description: 'Operations: publish how many approvals are pending and how many are past their deadline.',
    tables: { work: 'read' },
    scheduleMinutes: 15,
  },
];

/** Every function: the platform's and each registered runbook's. */
export function catalogFunctions(): readonly FunctionDefinition[] {
  return [...PLATFORM_FUNCTIONS, ...runbookModules().flatMap((module) => module.functions)];
}

/** Every registered runbook (its module is also its definition: name, tasks, policy). */
export function catalogRunbooks(): readonly RunbookModule[] {
  return runbookModules();
}

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
  const found = catalogFunctions().find((fn) => fn.id === id);
  if (!found)
    throw new Error(`Catalog: no function with id "${id}" (see lib/catalog.ts and the runbook modules).`);
  return found;
}
