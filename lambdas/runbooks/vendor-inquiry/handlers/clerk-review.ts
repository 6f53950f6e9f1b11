import * as z from 'zod';
import { getApproval, openApproval } from '#platform/approvals/adapters/approvals-dynamodb.ts';
import { recordVendorReplyTime } from '#platform/aws/metrics.ts';
import { getCase } from '#platform/runs/adapters/case-store-dynamodb.ts';
import { executionIdOf } from '#platform/runs/core/executions.ts';
import { runbookStep } from '#platform/runs/handlers/runbook-step.ts';
import { DynamoDbSystemOfRecord } from '#platform/system-of-record/adapters/system-of-record-dynamodb.ts';
import { configuredOutbox } from '#runbooks/vendor-inquiry/adapters/outbox.ts';
import { replySubject } from '#runbooks/vendor-inquiry/core/reply.ts';
import { INQUIRY_RULES_ACTOR, INQUIRY_TASK, identityResult } from './inquiry-step.ts';

const sor = new DynamoDbSystemOfRecord();

/** The work-room id of a run's draft reply. */
export function reviewIdOf(executionId: string): string {
  return `${executionId}-reply`;
}

const INSTRUCTIONS =
  'Read the draft and why it was not sent. APPROVE sends it as it stands to the address shown; REJECT sends nothing, and you answer the vendor yourself. Never approve a reply that names an invoice of another vendor.';

interface StoredReply {
  readonly text: string;
  readonly status: string;
  readonly to: string | null;
  readonly draftReasons?: readonly string[];
  readonly facts?: unknown;
}

async function storedReply(executionId: string): Promise<StoredReply> {
  const found = await getCase(executionId);
  const reply = found?.reply as StoredReply | null | undefined;
  if (!reply || typeof reply.text !== 'string') throw new Error(`Run ${executionId} has no drafted reply.`);
  return reply;
}

/**
 * Task AwaitClerk (.waitForTaskToken, stage `request`): the draft waits in the work room for an
 * AP clerk (never the person who submitted the inquiry). Task ApplyClerkDecision (stage
 * `decided`): the decision is read from the work room, never from the task output; an approval
 * sends the draft exactly as it was checked and stored, a rejection sends nothing. Task
 * ReviewTimedOut (stage `timeout`): nobody decided; nothing is sent.
 */
export const handler = runbookStep({
  input: {
    ...INQUIRY_TASK,
    stage: z.enum(['request', 'decided', 'timeout']),
    identity: identityResult,
    taskToken: z.string().min(1).optional(),
    timeoutSeconds: z.number().int().positive().optional(),
    review: z
      .object({ approvalId: z.string().min(1).max(200) })
      .nullable()
      .optional(),
  },
  run: async (task) => {
    const reply = await storedReply(task.executionId);
    const approvalId = reviewIdOf(task.executionId);
    const business = {
      ...(task.identity.vendorId ? { vendorId: task.identity.vendorId } : {}),
      ...(task.identity.vendorName ? { vendorName: task.identity.vendorName } : {}),
    };
    if (task.stage === 'request') {
      if (!task.taskToken || !task.timeoutSeconds)
        throw new Error('A review needs its task token and timeout.');
      const vendor = task.identity.vendorId ? await sor.getVendor(task.identity.vendorId) : undefined;
      const { deadline } = await openApproval({
        approvalId,
        level: 1,
        executionArn: task.executionArn,
        runbook: task.runbook,
        runbookVersion: task.runbookVersion,
        requiredRole: 'ap_clerk',
        // A reply moves no money: a zero amount, so only the decider's role is at stake.
        amount: '0.00',
        currency: vendor?.currency ?? 'USD',
        business,
        requestedBy: task.requestedBy,
        agentId: '',
        taskToken: task.taskToken,
        proposal: {
          kind: 'vendor_reply',
          instructions: INSTRUCTIONS,
          to: reply.to,
          subject: replySubject(task.request.message.subject),
          text: reply.text,
          draftReasons: reply.draftReasons ?? [],
          facts: reply.facts ?? null,
        },
        timeoutSeconds: task.timeoutSeconds,
        now: new Date(),
      });
      const awaiting = { approvalId, step: 'reply', status: 'PENDING', requiredRole: 'ap_clerk', deadline };
      return {
        result: { approvalId } as Record<string, string>,
        case: { awaiting },
        evidence: [
          {
            recordType: 'escalation',
            eventKey: 'AwaitClerk/escalation',
            actor: INQUIRY_RULES_ACTOR,
            details: { ...awaiting, draftReasons: reply.draftReasons ?? [] },
            business: { ...business, decision: 'DRAFT' },
          },
        ],
      };
    }

    let decided: {
      decision: 'APPROVE' | 'REJECT';
      by: string;
      role: string;
      at: string;
      comment: string;
    } | null = null;
    if (task.stage === 'decided') {
      const item = await getApproval(task.review?.approvalId ?? approvalId);
      if (!item || item.approvalId !== approvalId || executionIdOf(item.executionArn) !== task.executionId)
        throw new Error(`Approval ${task.review?.approvalId ?? approvalId} is not this run's reply.`);
      if (item.status !== 'DECIDED' || !item.decision || !item.decidedBy || !item.decidedAt)
        throw new Error(`Approval ${approvalId} is ${item.status.toLowerCase()}, not decided.`);
      decided = {
        decision: item.decision,
        by: item.decidedBy.username,
        role: item.decidedBy.role,
        at: item.decidedAt,
        comment: item.comment ?? '',
      };
    }
    const send = decided?.decision === 'APPROVE';
    const outbox = configuredOutbox();
    if (send && (!outbox || !reply.to))
      throw new Error('No outbox is configured to send the approved reply.');
    const sentAt = new Date().toISOString();
    if (send && outbox && reply.to)
      await outbox.send({
        executionId: task.executionId,
        to: reply.to,
        subject: replySubject(task.request.message.subject),
        text: reply.text,
      });
    const responseSeconds = send
      ? Math.max(0, Math.round((Date.parse(sentAt) - Date.parse(task.request.receivedAt)) / 1000))
      : null;
    const outcome = {
      ...reply,
      status: send ? 'SENT' : 'NOT_SENT',
      sentAt: send ? sentAt : null,
      sentBy: send ? (decided?.by ?? null) : null,
      responseSeconds,
      review: decided
        ? {
            decision: decided.decision,
            by: decided.by,
            role: decided.role,
            at: decided.at,
            comment: decided.comment,
          }
        : { decision: null, reason: 'Nobody decided before the deadline; nothing was sent.' },
    };
    return {
      result: { status: outcome.status } as Record<string, string>,
      case: { reply: outcome, awaiting: null },
      evidence: [
        {
          recordType: 'action',
          eventKey: 'ApplyClerkDecision/action',
          actor: decided
            ? { kind: 'person' as const, id: decided.by, role: decided.role }
            : INQUIRY_RULES_ACTOR,
          details: {
            action: send ? 'vendor_reply_sent' : 'vendor_reply_not_sent',
            messageHash: task.request.messageHash,
            to: reply.to,
            identifiedVendor: task.identity.vendorId,
            reply: reply.text,
            sentBy: outcome.sentBy,
            sentAt: outcome.sentAt,
            responseSeconds,
            review: outcome.review,
          },
          business: { ...business, decision: outcome.status },
        },
      ],
      metric: () => {
        if (responseSeconds !== null) recordVendorReplyTime(responseSeconds, 'CLERK_REVIEWED');
      },
    };
  },
});
