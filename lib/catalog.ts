import type { TableId } from '../lambdas/adapters/resource-env.ts';
import { ROLES, type Role } from '../lambdas/core/roles.ts';
import { RUNBOOK_START_ROLES } from '../lambdas/core/runbook-access.ts';

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
  /** Access to the evidence bucket; every runbook step that leaves evidence has 'write'. */
  readonly evidence?: EvidenceAccess;
  /** Runs on an EventBridge schedule every this many minutes (a timer in local mode). */
  readonly scheduleMinutes?: number;
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

const allRunbooks = Object.keys(RUNBOOK_START_ROLES);

export const FUNCTIONS: readonly FunctionDefinition[] = [
  {
    id: 'StartExecution',
    entry: 'lambdas/handlers/api/start-execution.ts',
    description: 'API: start a runbook execution under an Idempotency-Key.',
    tables: { work: 'readWrite' },
    startsRunbooks: allRunbooks,
  },
  {
    id: 'GetExecution',
    entry: 'lambdas/handlers/api/get-execution.ts',
    description: 'API: status and outcome of one runbook execution.',
    tables: { work: 'read' },
    describesRunbooks: allRunbooks,
  },
  {
    id: 'DeploymentCheckWriteProbe',
    entry: 'lambdas/handlers/deployment-check/write-probe.ts',
    description: 'Runbook deployment-check: write a probe record to the work table and evidence of it.',
    tables: { work: 'readWrite' },
    evidence: 'write',
  },
  {
    id: 'DeploymentCheckReadProbe',
    entry: 'lambdas/handlers/deployment-check/read-probe.ts',
    description: 'Runbook deployment-check: read the probe back and compare it byte for byte.',
    tables: { work: 'read' },
  },
  {
    id: 'EvidenceDigest',
    entry: 'lambdas/handlers/evidence/write-digest.ts',
    description:
      'Evidence: write the next signed digest of every evidence object written since the last one.',
    tables: {},
    evidence: 'digest',
    scheduleMinutes: 5,
    timeoutSeconds: 300,
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
];

export function functionById(id: string): FunctionDefinition {
  const found = FUNCTIONS.find((fn) => fn.id === id);
  if (!found) throw new Error(`Catalog: no function with id "${id}" (see FUNCTIONS in lib/catalog.ts).`);
  return found;
}
