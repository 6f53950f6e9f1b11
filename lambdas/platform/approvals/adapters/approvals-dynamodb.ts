import {
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { writeIf } from '#platform/aws/conditional-write.ts';
import { dynamoDb } from '#platform/aws/dynamodb-client.ts';
import { queryPages } from '#platform/aws/query-pages.ts';
import { tableName } from '#platform/aws/resource-env.ts';
import { isConditionFailure, rethrowTransient } from '#platform/aws/store-errors.ts';
import type { Role } from '#platform/core/roles.ts';
import { allOf, approverIsNotRequesterCondition, REQUESTED_BY_ATTRIBUTE } from './approval-conditions.ts';

/** A pending or decided approval in the work room, as stored (the task token included). */
export interface ApprovalItem {
  readonly approvalId: string;
  readonly level: number;
  readonly executionArn: string;
  readonly runbook: string;
  readonly runbookVersion: string;
  readonly requiredRole: Role;
  /** What approving it commits, as a decimal string in `currency`; null when the run could not tell (then it can only be rejected). */
  readonly amount: string | null;
  readonly currency: string | null;
  /** Why approving it could not be paid; set when the runbook asked, then it can only be rejected. */
  readonly unpayable?: string | null;
  /** The fields auditors filter on (e.g. vendor and document number), copied onto the decision's evidence. */
  readonly business: Readonly<Record<string, string>>;
  /** The requester's user id: the four-eyes write condition compares the approver with it. */
  readonly [REQUESTED_BY_ATTRIBUTE]: string;
  readonly requestedByUsername: string;
  readonly agentId: string;
  /** The pact action approving it exercises (e.g. invoice.approve); older items name none. */
  readonly action?: string;
  /** An agent in shadow tier: what it would have decided alone, compared with the person's decision. */
  readonly shadowDecision?: string | null;
  readonly deadline: string;
  readonly status: 'PENDING' | 'DECIDED' | 'EXPIRED';
  readonly taskToken: string;
  readonly proposal: Record<string, unknown>;
  readonly createdAt: string;
  readonly decision?: 'APPROVE' | 'REJECT';
  readonly comment?: string;
  readonly decidedBy?: { userId: string; username: string; role: string };
  readonly decidedAt?: string;
  /** Set once the waiting run took the decision. */
  readonly appliedAt?: string;
}

const PENDING_INDEX = 'APPROVALS#PENDING';
/** Pages of pending approvals read at the most (each up to 1 MB). */
const MAX_WORK_ROOM_PAGES = 50;
const key = (approvalId: string) => ({ pk: `APPROVAL#${approvalId}`, sk: 'APPROVAL' });

/** One update of an approval item; false when its condition does not hold (nothing written). */
function updateApproval(
  approvalId: string,
  update: Omit<UpdateCommandInput, 'TableName' | 'Key'>,
): Promise<boolean> {
  return writeIf(() =>
    dynamoDb.send(new UpdateCommand({ TableName: tableName('work'), Key: key(approvalId), ...update })),
  );
}

export interface PendingApprovalInput {
  approvalId: string;
  level: number;
  executionArn: string;
  runbook: string;
  runbookVersion: string;
  requiredRole: Role;
  amount: string | null;
  currency: string | null;
  unpayable?: string | null;
  business: Readonly<Record<string, string>>;
  requestedBy: { userId: string; username: string };
  agentId: string;
  action?: string;
  shadowDecision?: string | null;
  deadline: string;
  taskToken: string;
  proposal: Record<string, unknown>;
}

/** Stores the approval; a retried step (new token) replaces a still-pending one, never a decided one. */
export async function putPendingApproval(input: PendingApprovalInput): Promise<void> {
  const { requestedBy, ...rest } = input;
  try {
    await dynamoDb.send(
      new PutCommand({
        TableName: tableName('work'),
        Item: {
          ...key(input.approvalId),
          ...rest,
          [REQUESTED_BY_ATTRIBUTE]: requestedBy.userId,
          requestedByUsername: requestedBy.username,
          status: 'PENDING',
          createdAt: new Date().toISOString(),
          gsi1pk: PENDING_INDEX,
          gsi1sk: `${input.deadline}#${input.approvalId}`,
        },
        ConditionExpression: 'attribute_not_exists(pk) OR #status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':pending': 'PENDING' },
      }),
    );
  } catch (error) {
    if (isConditionFailure(error)) return;
    rethrowTransient(error);
  }
}

/**
 * Puts an approval in the work room and returns its deadline. A retried step keeps the
 * deadline first set, so the person's window and the evidence do not move.
 */
export async function openApproval(
  input: Omit<PendingApprovalInput, 'deadline'> & { readonly timeoutSeconds: number; readonly now: Date },
): Promise<{ readonly deadline: string }> {
  const { timeoutSeconds, now, ...approval } = input;
  const existing = await getApproval(approval.approvalId);
  const deadline = existing?.deadline ?? new Date(now.getTime() + timeoutSeconds * 1000).toISOString();
  await putPendingApproval({ ...approval, deadline });
  return { deadline };
}

export async function getApproval(approvalId: string): Promise<ApprovalItem | undefined> {
  try {
    const { Item } = await dynamoDb.send(
      new GetCommand({ TableName: tableName('work'), Key: key(approvalId), ConsistentRead: true }),
    );
    return Item as ApprovalItem | undefined;
  } catch (error) {
    rethrowTransient(error);
  }
}

/**
 * Every approval listed under one partition of the work table's gsi1, in sort order, optionally
 * only those sorting before `before`. A listing that does not fit in MAX_WORK_ROOM_PAGES pages is
 * refused whole rather than answered in part.
 */
async function approvalsIndexed(partition: string, what: string, before?: string): Promise<ApprovalItem[]> {
  const items = await queryPages(
    (startKey: Record<string, unknown> | undefined) =>
      dynamoDb.send(
        new QueryCommand({
          TableName: tableName('work'),
          IndexName: 'gsi1',
          KeyConditionExpression: before ? 'gsi1pk = :p AND gsi1sk < :before' : 'gsi1pk = :p',
          ExpressionAttributeValues: { ':p': partition, ...(before ? { ':before': before } : {}) },
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      ),
    { maxPages: MAX_WORK_ROOM_PAGES, atBound: 'refuse', what },
  );
  return items as ApprovalItem[];
}

/** Pending approvals, oldest deadline first. */
export async function listPendingApprovals(): Promise<ApprovalItem[]> {
  return (await approvalsIndexed(PENDING_INDEX, 'The pending approvals')).filter(
    (item) => item.status === 'PENDING',
  );
}

export type DecisionWrite =
  | 'recorded'
  | 'same_decision'
  | 'not_pending'
  | 'past_deadline'
  | 'requester_may_not_decide';

/**
 * Records a person's decision. The write condition itself holds the rules: the approval is
 * still pending, its deadline has not passed, and the decider is not the requester — even a
 * caller that skipped every check before it cannot break them. Only one decision is ever
 * `recorded`; the same decider sending the same decision again (a double-click, a retry) is
 * `same_decision`, which changes nothing.
 */
export async function recordDecision(
  approvalId: string,
  decision: {
    decision: 'APPROVE' | 'REJECT';
    comment: string;
    decidedBy: { userId: string; username: string; role: string };
  },
  now: Date = new Date(),
): Promise<DecisionWrite> {
  const state = {
    ConditionExpression: '#status = :pending AND deadline > :now',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':pending': 'PENDING', ':now': now.toISOString() },
  };
  const condition = allOf(state, approverIsNotRequesterCondition(decision.decidedBy.userId));
  try {
    await dynamoDb.send(
      new UpdateCommand({
        TableName: tableName('work'),
        Key: key(approvalId),
        UpdateExpression:
          'SET #status = :decided, decision = :decision, #comment = :comment, decidedBy = :decidedBy, decidedAt = :at, gsi1pk = :unapplied, gsi1sk = :unappliedSort',
        ConditionExpression: condition.ConditionExpression,
        ExpressionAttributeNames: { ...condition.ExpressionAttributeNames, '#comment': 'comment' },
        ExpressionAttributeValues: {
          ...condition.ExpressionAttributeValues,
          ':decided': 'DECIDED',
          ':decision': decision.decision,
          ':comment': decision.comment,
          ':decidedBy': decision.decidedBy,
          ':at': now.toISOString(),
          // Listed as decided-but-not-applied until the run takes it: the sweeper finds what a crash left.
          ':unapplied': UNAPPLIED_INDEX,
          ':unappliedSort': `${now.toISOString()}#${approvalId}`,
        },
      }),
    );
    return 'recorded';
  } catch (error) {
    if (!isConditionFailure(error)) rethrowTransient(error);
  }
  const current = await getApproval(approvalId);
  if (!current || current[REQUESTED_BY_ATTRIBUTE] === decision.decidedBy.userId)
    return current ? 'requester_may_not_decide' : 'not_pending';
  if (
    current.status === 'DECIDED' &&
    current.decidedBy?.userId === decision.decidedBy.userId &&
    current.decision === decision.decision
  )
    return 'same_decision';
  if (current.status === 'PENDING' && current.deadline <= now.toISOString()) return 'past_deadline';
  return 'not_pending';
}

/** The sparse index of decisions recorded but not yet handed to their run (or marked not applied). */
const UNAPPLIED_INDEX = 'APPROVALS#UNAPPLIED';

/**
 * Decisions recorded before `decidedBefore` that no request handed to their run: the request
 * that wrote them crashed, or its evidence write or SendTaskSuccess failed. Oldest first, bounded.
 */
export async function listUnappliedDecisions(decidedBefore: Date, limit = 100): Promise<ApprovalItem[]> {
  const items = await approvalsIndexed(
    UNAPPLIED_INDEX,
    'The unapplied decisions',
    decidedBefore.toISOString(),
  );
  return items.filter((item) => item.status === 'DECIDED' && !item.appliedAt).slice(0, limit);
}

/** How long one request may hold the right to hand a decision to its run before another may take it over. */
export const APPLY_LEASE_MS = 60_000;

/**
 * Takes the right to hand this decision to the waiting run, so two requests carrying the same
 * decision never both complete the task (and the loser never marks an applied decision as not
 * applied). A lease older than APPLY_LEASE_MS may be taken over: its holder crashed.
 */
export function claimApplication(
  approvalId: string,
  applierId: string,
  now: Date = new Date(),
): Promise<boolean> {
  return updateApproval(approvalId, {
    UpdateExpression: 'SET applyingBy = :me, applyingSince = :now',
    ConditionExpression:
      '#status = :decided AND attribute_not_exists(appliedAt) AND (attribute_not_exists(applyingBy) OR applyingBy = :me OR applyingSince < :stale)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':decided': 'DECIDED',
      ':me': applierId,
      ':now': now.toISOString(),
      ':stale': new Date(now.getTime() - APPLY_LEASE_MS).toISOString(),
    },
  });
}

/** The waiting run took the decision. */
export async function markApplied(approvalId: string): Promise<void> {
  await updateApproval(approvalId, {
    UpdateExpression: 'SET appliedAt = :at REMOVE applyingBy, applyingSince, gsi1pk, gsi1sk',
    ExpressionAttributeValues: { ':at': new Date().toISOString() },
  });
}

/**
 * The run had stopped waiting when this request handed it the decision: recorded as expired,
 * but only by the request that holds the application and only if nobody applied it meanwhile.
 * Returns whether it was marked.
 */
export function markNotApplied(approvalId: string, applierId: string): Promise<boolean> {
  return updateApproval(approvalId, {
    UpdateExpression:
      'SET #status = :expired, expiredAt = :at REMOVE gsi1pk, gsi1sk, applyingBy, applyingSince',
    ConditionExpression: 'applyingBy = :me AND attribute_not_exists(appliedAt)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':expired': 'EXPIRED', ':at': new Date().toISOString(), ':me': applierId },
  });
}

/** The deadline passed undecided: the approval leaves the work room (only if still pending). */
export async function expireApproval(approvalId: string): Promise<void> {
  await updateApproval(approvalId, {
    UpdateExpression: 'SET #status = :expired, expiredAt = :at REMOVE gsi1pk, gsi1sk',
    ConditionExpression: '#status = :pending',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':expired': 'EXPIRED',
      ':at': new Date().toISOString(),
      ':pending': 'PENDING',
    },
  });
}
