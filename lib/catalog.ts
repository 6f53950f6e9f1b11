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
    // trust: intake refuses an agent that is not registered or has no pact for the runbook's action.
    // reference: intake checks a request against the system of record (e.g. the vendor a bank change is for).
    tables: { work: 'readWrite', trust: 'read', reference: 'read' },
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
    id: 'ListExecutions',
    entry: 'lambdas/platform/runs/handlers/list-executions.ts',
    description: 'API: the executions the caller may see, newest first, from the execution index by runbook.',
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
    id: 'ReportAgentIncident',
    entry: 'lambdas/platform/trust/handlers/report-incident.ts',
    description:
      "API: a controller records an incident against an agent's run; the agent drops to shadow tier.",
    tables: { trust: 'readWrite' },
    evidence: 'write',
    notifications: 'publish',
  },
  {
    id: 'ProposeAgentPromotion',
    entry: 'lambdas/platform/trust/handlers/propose-promotion.ts',
    description: 'API: propose a new tier or pact limits for an agent, with its trust evidence attached.',
    tables: { trust: 'readWrite' },
    evidence: 'write',
  },
  {
    id: 'DecideAgentPromotion',
    entry: 'lambdas/platform/trust/handlers/decide-promotion.ts',
    description:
      'API: a second controller or platform admin signs a promotion off (applied at once) or refuses it.',
    tables: { trust: 'readWrite' },
    evidence: 'write',
  },
  {
    id: 'GetTrustPacket',
    entry: 'lambdas/platform/trust/handlers/get-trust-packet.ts',
    description:
      "API: an agent's trust packet: pacts, tier history and sign-offs, outcomes, rates, escrow exposure, evidence pointers.",
    tables: { trust: 'read', escrow: 'read' },
  },
  {
    id: 'ListRunbookReleases',
    entry: 'lambdas/platform/releases/handlers/list-releases.ts',
    description:
      "API: a runbook's releases: the version live in each stage, since when, approved by whom, and every change request.",
    tables: { work: 'read' },
  },
  {
    // One function for both routes that write change requests: the same grants, half the resources.
    id: 'RunbookChangeRequests',
    entry: 'lambdas/platform/releases/handlers/change-requests.ts',
    description:
      'API: a platform admin proposes a runbook version for a stage (or a rollback) with its diff and report; someone other than the author approves it live or refuses it.',
    tables: { work: 'readWrite' },
    evidence: 'write',
  },
  {
    id: 'CheckRunbookReleases',
    entry: 'lambdas/platform/releases/handlers/check-releases.ts',
    description:
      'Runbook step (deployment-check): every deployed runbook version must have been put live in the stage by an approved change.',
    // work readWrite: the step's own evidence chain head; release records are only read.
    tables: { work: 'readWrite' },
    evidence: 'write',
    get recordsFor() {
      return allRunbooks();
    },
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
    description:
      "API: a person approves or rejects a pending approval; the waiting run resumes and the agent's outcome is recorded.",
    // trust: the decision becomes the proposing agent's outcome (and may demote it).
    tables: { work: 'readWrite', trust: 'readWrite' },
    evidence: 'write',
    notifications: 'publish',
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
    id: 'GetApprovalCase',
    entry: 'lambdas/platform/approvals/handlers/get-approval-case.ts',
    description:
      'API: the case behind one approval for the work room: findings, document, evidence chain, and what the caller may decide.',
    // evidence read: the submitted document, checked against the hash its evidence record carries.
    tables: { work: 'read' },
    evidence: 'read',
    approvalLimits: true,
  },
  {
    id: 'ListExceptions',
    entry: 'lambdas/platform/exceptions/handlers/list-exceptions.ts',
    description: 'API: open exceptions (a rejected payment, a stray debit…) the caller may resolve.',
    tables: { work: 'read' },
  },
  {
    id: 'ResolveException',
    entry: 'lambdas/platform/exceptions/handlers/resolve-exception.ts',
    description: 'API: a person records what was done about an exception; the resolution is evidence.',
    tables: { work: 'readWrite' },
    evidence: 'write',
    get recordsFor() {
      return allRunbooks();
    },
  },
  {
    id: 'FileDispute',
    entry: 'lambdas/platform/disputes/handlers/file-dispute.ts',
    description:
      "API: a controller, or the account owner of the customer or partner paid, freezes a HELD hold with a dispute; it becomes the initiating agent's outcome.",
    tables: { escrow: 'readWrite', work: 'readWrite', trust: 'readWrite', reference: 'read' },
    evidence: 'write',
    notifications: 'publish',
  },
  {
    id: 'ResolveDispute',
    entry: 'lambdas/platform/disputes/handlers/resolve-dispute.ts',
    description: 'API: a controller other than the filer posts or voids a disputed hold, with a reason.',
    tables: { escrow: 'readWrite', work: 'readWrite' },
    evidence: 'write',
  },
  {
    id: 'ListDisputes',
    entry: 'lambdas/platform/disputes/handlers/list-disputes.ts',
    description: 'API: open disputes, oldest first, and whether the caller may resolve each.',
    tables: { work: 'read' },
  },
  {
    id: 'ApprovalBacklogCheck',
    entry: 'lambdas/platform/approvals/handlers/approval-backlog.ts',
    description:
      'Operations: publish the approval backlog, and finish any decision recorded but never handed to its run.',
    // Finishing a decision does what the decision route does after its write: evidence, the agent's outcome, the run resumed.
    tables: { work: 'readWrite', trust: 'readWrite' },
    evidence: 'write',
    notifications: 'publish',
    get completesTasksOf() {
      return approvingRunbooks();
    },
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
    path: '/executions',
    functionId: 'ListExecutions',
    roles: [...ROLES],
    queryParameters: ['runbook', 'status', 'requestedBy', 'from', 'to', 'limit', 'nextToken'],
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
    path: '/agents/{agentId}/trust-packet',
    functionId: 'GetTrustPacket',
    roles: ['auditor', 'controller', 'platform_admin'],
  },
  {
    method: 'POST',
    path: '/agents/{agentId}/incidents',
    functionId: 'ReportAgentIncident',
    roles: ['controller'],
    jsonBody: true,
  },
  {
    method: 'POST',
    path: '/agents/{agentId}/promotions',
    functionId: 'ProposeAgentPromotion',
    roles: ['controller', 'platform_admin'],
    jsonBody: true,
  },
  {
    method: 'POST',
    path: '/promotions/{promotionId}/decision',
    functionId: 'DecideAgentPromotion',
    roles: ['controller', 'platform_admin'],
    jsonBody: true,
  },
  {
    method: 'GET',
    path: '/runbooks/{runbook}/releases',
    functionId: 'ListRunbookReleases',
    roles: ['auditor', 'controller', 'platform_admin'],
  },
  {
    method: 'POST',
    path: '/runbooks/{runbook}/releases',
    functionId: 'RunbookChangeRequests',
    roles: ['platform_admin'],
    jsonBody: true,
  },
  {
    method: 'POST',
    path: '/runbooks/{runbook}/releases/{changeId}/decision',
    functionId: 'RunbookChangeRequests',
    roles: ['controller', 'platform_admin'],
    jsonBody: true,
  },
  {
    method: 'GET',
    path: '/approvals',
    functionId: 'ListApprovals',
    roles: ['ap_clerk', 'controller'],
    queryParameters: ['status'],
  },
  {
    method: 'GET',
    path: '/approvals/{approvalId}',
    functionId: 'GetApprovalCase',
    roles: ['ap_clerk', 'controller', 'auditor', 'platform_admin'],
  },
  {
    method: 'POST',
    path: '/approvals/{approvalId}/decision',
    functionId: 'DecideApproval',
    roles: ['ap_clerk', 'controller'],
    jsonBody: true,
  },
  {
    method: 'POST',
    path: '/holds/{holdId}/disputes',
    functionId: 'FileDispute',
    // A clerk or analyst only as the account owner of the customer or partner the hold pays (checked in the handler).
    roles: ['controller', 'ap_clerk', 'fpa'],
    jsonBody: true,
  },
  {
    method: 'POST',
    path: '/disputes/{disputeId}/resolution',
    functionId: 'ResolveDispute',
    roles: ['controller'],
    jsonBody: true,
  },
  {
    method: 'GET',
    path: '/disputes',
    functionId: 'ListDisputes',
    roles: ['controller', 'auditor', 'platform_admin'],
  },
  {
    method: 'GET',
    path: '/exceptions',
    functionId: 'ListExceptions',
    roles: ['ap_clerk', 'controller', 'auditor', 'platform_admin'],
    queryParameters: ['kind'],
  },
  {
    method: 'POST',
    path: '/exceptions/{exceptionId}/resolution',
    functionId: 'ResolveException',
    roles: ['ap_clerk', 'controller', 'platform_admin'],
    jsonBody: true,
  },
];

export function functionById(id: string): FunctionDefinition {
  const found = catalogFunctions().find((fn) => fn.id === id);
  if (!found)
    throw new Error(`Catalog: no function with id "${id}" (see lib/catalog.ts and the runbook modules).`);
  return found;
}
