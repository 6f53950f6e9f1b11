/**
 * Write conditions that keep the four-eyes rule in the store itself: a decision write on an
 * approvals item (which carries `requestedBy`) fails with ConditionalCheckFailedException
 * when the approver is the requester, even if every check before it was bypassed.
 */
export interface WriteCondition {
  readonly ConditionExpression: string;
  readonly ExpressionAttributeNames: Readonly<Record<string, string>>;
  readonly ExpressionAttributeValues: Readonly<Record<string, unknown>>;
}

/** The attribute every approvals item names its requester in. */
export const REQUESTED_BY_ATTRIBUTE = 'requestedBy';

/** The item must exist, name a requester, and that requester must not be `approverId`. */
export function approverIsNotRequesterCondition(approverId: string): WriteCondition {
  if (approverId.trim() === '') throw new Error('An approval decision needs the approver id.');
  return {
    ConditionExpression: 'attribute_exists(#tgRequestedBy) AND #tgRequestedBy <> :tgApproverId',
    ExpressionAttributeNames: { '#tgRequestedBy': REQUESTED_BY_ATTRIBUTE },
    ExpressionAttributeValues: { ':tgApproverId': approverId },
  };
}

/** All of `conditions` must hold; placeholder names must not collide (this module's use a `tg` prefix). */
export function allOf(...conditions: readonly WriteCondition[]): WriteCondition {
  return {
    ConditionExpression: conditions.map((c) => `(${c.ConditionExpression})`).join(' AND '),
    ExpressionAttributeNames: Object.assign({}, ...conditions.map((c) => c.ExpressionAttributeNames)),
    ExpressionAttributeValues: Object.assign({}, ...conditions.map((c) => c.ExpressionAttributeValues)),
  };
}
