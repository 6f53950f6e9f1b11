import type * as z from 'zod';
import type { Principal } from '#platform/core/principal.ts';
import type { Role } from '#platform/core/roles.ts';

/** The tables a function may be granted; the stack and the local runtime create exactly these. */
export const TABLE_IDS = ['trust', 'escrow', 'work', 'reference'] as const;
export type TableId = (typeof TABLE_IDS)[number];

export type TableAccess = 'read' | 'readWrite';
/**
 * write: append evidence records (the chain heads live in the work table, which the stack
 * grants with it); read: read and list evidence; digest: read, list and write digests, sign with the digest key.
 */
export type EvidenceAccess = 'write' | 'read' | 'digest';

/** One Lambda function: its handler module and exactly the resources it is granted. */
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
  /**
   * Runbooks whose evidence this function writes outside their Tasks (e.g. a scheduled job that
   * applies a bank's answer to a run): it is told their version, and granted nothing on them.
   */
  readonly recordsFor?: readonly string[];
  /** Runbooks whose waiting tasks this function completes (SendTaskSuccess / SendTaskFailure). */
  readonly completesTasksOf?: readonly string[];
  /** Access to the evidence bucket; every runbook step that leaves evidence has 'write'. */
  readonly evidence?: EvidenceAccess;
  /**
   * Access to the bank-files bucket: 'write' puts files under `outbound/` (payment files for the
   * bank), 'read' reads and lists `inbound/` (status reports and statements from the bank).
   */
  readonly bankFiles?: 'write' | 'read' | 'readWrite';
  /** Runs on an EventBridge schedule every this many minutes (a timer in local mode). */
  readonly scheduleMinutes?: number;
  /**
   * Runs on an EventBridge cron schedule, e.g. `cron(0 6 ? * MON-FRI *)` (UTC). Locally nothing
   * fires it: run its job on demand (e.g. start the runbook it starts).
   */
  readonly scheduleCron?: string;
  /**
   * `publish`: the function tells people of trust events (an agent demoted) on the stage's
   * encrypted alarm topic; it receives the topic ARN in TRUST_NOTIFICATIONS_TOPIC_ARN.
   */
  readonly notifications?: 'publish';
  /** `invoke`: the function calls Bedrock Converse on the stage's model, under its guardrail. */
  readonly model?: 'invoke';
  /** The function decides who may approve: it receives the stage's approval limits. */
  readonly approvalLimits?: boolean;
  /** @default 512 */
  readonly memoryMb?: number;
  /** @default 30 */
  readonly timeoutSeconds?: number;
}

/** What the CDK `Runbook` construct and the local engine need to load and bind a runbook. */
export interface RunbookDefinition {
  /** File stem: `<definitionDir>/<name>.asl.json` and `<definitionDir>/<name>.md`. */
  readonly name: string;
  /** `${Placeholder}` in the ASL → function id. */
  readonly tasks: Readonly<Record<string, string>>;
  /** Policy file (relative to the project root) that is part of the runbook version. */
  readonly policy?: string;
  /**
   * Folder of the ASL and Markdown, relative to the project root.
   * @default 'statemachines'
   */
  readonly definitionDir?: string;
}

/** What a runbook's intake receives: the validated request and who made it. */
export interface IntakeContext<Request> {
  readonly runbook: string;
  readonly body: Request;
  /** The execution's id (its name); evidence and the case are keyed by it. */
  readonly executionId: string;
  readonly executionArn: string;
  readonly principal: Principal;
  readonly submittedAt: string;
}

/**
 * Turns a validated request into the execution's input (e.g. a document moved to the
 * evidence bucket, leaving its reference). Runs once per new execution. The result must hold
 * `request`, which the ASL reads as `$.request`.
 */
export type RunbookIntake<Request> = (context: IntakeContext<Request>) => Promise<Record<string, unknown>>;

/**
 * Everything a runbook plugs into the platform. The platform (runs, approvals, trust,
 * escrow, evidence) knows runbooks only through this contract and the registry; adding a
 * runbook is its folder, its ASL and Markdown, and one line in `lambdas/runbooks/registry.ts`.
 */
export interface RunbookModule<Request extends Record<string, unknown> = Record<string, unknown>>
  extends RunbookDefinition {
  /** One sentence a controller reads in the catalog. */
  readonly description: string;
  /** The Lambda functions this runbook owns; the ids its `tasks` bind to are among them or the platform's. */
  readonly functions: readonly FunctionDefinition[];
  /** The body of `POST /runbooks/{name}/executions`; anything else is a 400 that starts nothing. */
  readonly request: z.ZodType<Request>;
  /** Roles that may start it; everyone else gets 403. */
  readonly startRoles: readonly Role[];
  /**
   * Intake before the run starts, loaded when first needed (so reading the module loads no AWS client).
   * @default the request passed through as `{ request }`
   */
  readonly intake?: () => Promise<RunbookIntake<Request>>;
  /**
   * What `GET /executions/{id}` shows of the run's case (the fields its steps wrote).
   * @default no case fields
   */
  readonly caseView?: (fields: Readonly<Record<string, unknown>>) => Record<string, unknown>;
  /**
   * For every role an approval of this runbook may require, the roles that may decide it. Every
   * approval also carries its amount and currency; the platform checks each decider's limit.
   * A runbook that asks for no approval leaves this empty.
   */
  readonly approvals: Readonly<Partial<Record<Role, readonly Role[]>>>;
}

/**
 * Declares a runbook module, typed by its own request inside and erased to the platform's
 * view outside: the platform validates every body with `request` before `intake` sees it.
 */
export function defineRunbook<Request extends Record<string, unknown>>(
  module: RunbookModule<Request>,
): RunbookModule {
  return module as unknown as RunbookModule;
}
