import * as z from 'zod';
import { recordVendorReplyTime } from '#platform/aws/metrics.ts';
import { openException } from '#platform/exceptions/adapters/exceptions-dynamodb.ts';
import { runbookStep } from '#platform/runs/handlers/runbook-step.ts';
import { loadAgentStanding } from '#platform/trust/adapters/trust-store-dynamodb.ts';
import { pactFor } from '#platform/trust/core/standing.ts';
import { INQUIRY_POLICY } from '#runbooks/vendor-inquiry/adapters/inquiry-policy.ts';
import { inquiryModel } from '#runbooks/vendor-inquiry/adapters/model-factory.ts';
import { configuredOutbox } from '#runbooks/vendor-inquiry/adapters/outbox.ts';
import { factsSchema } from '#runbooks/vendor-inquiry/core/facts.ts';
import {
  composeReply,
  replyDecision,
  replySubject,
  unsupportedTokens,
} from '#runbooks/vendor-inquiry/core/reply.ts';
import { classifiedResult, INQUIRY_RULES_ACTOR, INQUIRY_TASK, identityResult } from './inquiry-step.ts';

/** Whether the agent may send replies alone: registered, not suspended, a pact for the action, a sending tier. */
async function withinPact(): Promise<{ within: boolean; why: string | null }> {
  const standing = await loadAgentStanding(INQUIRY_POLICY.agentId);
  if (!standing) return { within: false, why: `Agent ${INQUIRY_POLICY.agentId} is not registered.` };
  if (standing.suspended) return { within: false, why: `Agent ${INQUIRY_POLICY.agentId} is suspended.` };
  if (!pactFor(standing, INQUIRY_POLICY.replyAction))
    return {
      within: false,
      why: `Agent ${INQUIRY_POLICY.agentId} has no pact for ${INQUIRY_POLICY.replyAction}.`,
    };
  if (!INQUIRY_POLICY.sendingTiers.includes(standing.tier))
    return {
      within: false,
      why: `Agent ${INQUIRY_POLICY.agentId} is in tier ${standing.tier}; its replies are drafts.`,
    };
  return { within: true, why: null };
}

/**
 * Task Reply: the reply built from the facts by template, phrased by the model, checked in code
 * (every number, date and reference must be a fact), then sent within the agent's pact — or kept
 * as a draft for a clerk, with why. A bank-detail change, a short-payment dispute and an unknown
 * sender each open an exception for a person; nothing here changes any master data.
 */
export const handler = runbookStep({
  input: {
    ...INQUIRY_TASK,
    classification: classifiedResult,
    identity: identityResult,
    facts: factsSchema.nullable(),
    bankChange: z
      .object({ status: z.string(), executionId: z.string().optional(), reason: z.string().optional() })
      .nullable()
      .optional(),
  },
  run: async (task) => {
    const { classification, identity, facts } = task;
    const template = composeReply(classification.intent, identity.identified ? facts : null);
    // Only a reply that discloses facts is phrased: an acknowledgement stays exactly as written.
    const phrased =
      identity.identified && facts?.invoices.length ? await inquiryModel().phrase(template, facts) : null;
    const text = phrased?.value ?? template;
    const unsupported = unsupportedTokens(text, identity.identified ? facts : null);
    const pact = await withinPact();
    const outbox = configuredOutbox();
    const decision = replyDecision({
      identified: identity.identified,
      intent: classification.intent,
      facts,
      signals: [...classification.signals, ...identity.signals],
      unsupported,
      withinPact: pact.within,
      canSend: outbox !== undefined && identity.address !== null,
    });
    const sentAt = new Date().toISOString();
    let deliveredTo: string | null = null;
    if (decision.status === 'SENT' && outbox && identity.address)
      deliveredTo = await outbox.send({
        executionId: task.executionId,
        to: identity.address,
        subject: replySubject(task.request.message.subject),
        text,
      });
    const responseSeconds =
      decision.status === 'SENT'
        ? Math.max(0, Math.round((Date.parse(sentAt) - Date.parse(task.request.receivedAt)) / 1000))
        : null;
    const handover = handoverOf(classification.intent, identity.identified);
    // A draft waits in the work room (AwaitClerk); handovers are work whatever the reply says.
    const exceptionId = handover;
    const reply = {
      text,
      status: decision.status,
      draftReasons: decision.reasons,
      unsupported,
      facts: identity.identified ? facts : null,
      to: identity.address,
      sentAt: decision.status === 'SENT' ? sentAt : null,
      sentBy: decision.status === 'SENT' ? INQUIRY_POLICY.agentId : null,
      responseSeconds,
      withinPact: pact.within,
      ...(pact.why ? { pactNote: pact.why } : {}),
    };
    return {
      result: { status: decision.status, draftReasons: decision.reasons },
      case: {
        reply,
        handover: exceptionId
          ? { kind: exceptionId, exceptionId: `${exceptionId}:${task.executionId}` }
          : null,
      },
      evidence: [
        ...(phrased
          ? [
              {
                recordType: 'model_call' as const,
                eventKey: 'Reply/model_call',
                actor: { kind: 'agent' as const, id: INQUIRY_POLICY.agentId },
                details: {
                  modelId: phrased.modelId,
                  promptVersion: phrased.promptVersion,
                  local: phrased.local,
                  usage: phrased.usage,
                  latencyMs: phrased.latencyMs,
                  unsupported,
                },
                payloads: [{ name: 'model-output.txt', contentType: 'text/plain', body: phrased.rawOutput }],
              },
            ]
          : []),
        {
          recordType: 'decision',
          eventKey: 'Reply/decision',
          actor: INQUIRY_RULES_ACTOR,
          details: {
            rule: 'reply_from_facts',
            status: decision.status,
            draftReasons: decision.reasons,
            unsupported,
            withinPact: pact.within,
            intent: classification.intent,
          },
          business: {
            ...(identity.vendorId ? { vendorId: identity.vendorId } : {}),
            ...(identity.vendorName ? { vendorName: identity.vendorName } : {}),
            decision: decision.status,
            reasonCodes: decision.reasons,
          },
        },
        {
          recordType: 'action',
          eventKey: 'Reply/action',
          actor:
            decision.status === 'SENT'
              ? { kind: 'agent' as const, id: INQUIRY_POLICY.agentId }
              : INQUIRY_RULES_ACTOR,
          details: {
            action: decision.status === 'SENT' ? 'vendor_reply_sent' : 'vendor_reply_drafted',
            messageHash: task.request.messageHash,
            to: identity.address,
            identifiedVendor: identity.vendorId,
            identifiedBy: identity.method ?? identity.reason,
            factsConsulted: identity.identified ? facts : null,
            reply: text,
            sentBy: reply.sentBy,
            sentAt: reply.sentAt,
            deliveredTo: deliveredTo ? 'outbox' : null,
            responseSeconds,
            handover: exceptionId,
          },
          business: {
            ...(identity.vendorId ? { vendorId: identity.vendorId } : {}),
            decision: decision.status,
          },
        },
      ],
      metric: () => {
        if (responseSeconds !== null) recordVendorReplyTime(responseSeconds, classification.intent);
      },
      after: async () => {
        if (!exceptionId) return;
        await openException({
          exceptionId: `${exceptionId}:${task.executionId}`,
          kind: exceptionId,
          runbook: task.runbook,
          executionId: task.executionId,
          summary: summaryOf(exceptionId, task.bankChange ?? null),
          requiredRole: 'ap_clerk',
          refs: {
            executionId: task.executionId,
            ...(identity.vendorId ? { vendorId: identity.vendorId } : {}),
            ...(task.bankChange?.executionId ? { bankChangeExecutionId: task.bankChange.executionId } : {}),
          },
          openedAt: task.submittedAt,
        });
      },
    };
  },
});

const SUMMARY: Readonly<Record<string, string>> = {
  VENDOR_BANK_DETAIL_CHANGE:
    'A vendor asks to change its bank details by message: verify by call-back on a number on file, then start the vendor bank-change runbook; nothing was changed.',
  VENDOR_SHORT_PAYMENT_DISPUTE:
    'A vendor disputes a short payment: review the payment and answer the vendor.',
  VENDOR_INQUIRY_UNKNOWN_SENDER:
    'An inquiry from an address not on file for any vendor: it got a generic acknowledgement; review who sent it.',
};

function summaryOf(kind: string, bankChange: { status: string; reason?: string } | null): string {
  if (kind !== 'VENDOR_BANK_DETAIL_CHANGE' || !bankChange)
    return SUMMARY[kind] ?? 'A vendor inquiry needs a person.';
  if (bankChange.status === 'STARTED')
    return 'A vendor asks to change its bank details by message: the vendor bank-change run is started and waits for a call-back on a number on file; nothing was changed.';
  if (bankChange.status === 'REFUSED')
    return `A vendor asks to change its bank details by message; the vendor bank-change runbook refused it (${bankChange.reason ?? 'refused'}); nothing was changed.`;
  return 'A vendor asks to change its bank details by message but gives no usable details; call the vendor back on a number on file; nothing was changed.';
}

/** Work a person must pick up whatever the reply says. */
function handoverOf(intent: string, identified: boolean): string | null {
  if (!identified) return 'VENDOR_INQUIRY_UNKNOWN_SENDER';
  if (intent === 'BANK_DETAIL_CHANGE') return 'VENDOR_BANK_DETAIL_CHANGE';
  if (intent === 'SHORT_PAYMENT_DISPUTE') return 'VENDOR_SHORT_PAYMENT_DISPUTE';
  return null;
}

export const replyResult = z.object({ status: z.enum(['SENT', 'DRAFT']), draftReasons: z.array(z.string()) });
