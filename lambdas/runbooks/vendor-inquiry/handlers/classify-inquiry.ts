import { runbookStep } from '#platform/runs/handlers/runbook-step.ts';
import { INQUIRY_POLICY } from '#runbooks/vendor-inquiry/adapters/inquiry-policy.ts';
import { inquiryModel } from '#runbooks/vendor-inquiry/adapters/model-factory.ts';
import { classificationSchema, suspiciousSignals } from '#runbooks/vendor-inquiry/core/classify.ts';
import { type ClassifiedResult, INQUIRY_TASK } from './inquiry-step.ts';

/**
 * Task Classify: the model reads the subject and body (never the sender) for the intent and the
 * invoice numbers, PO numbers and amounts mentioned. An answer outside the schema is recorded and
 * counts as OTHER with no references, which a clerk answers. Injection signals are found by rule.
 */
export const handler = runbookStep({
  input: INQUIRY_TASK,
  run: async (task) => {
    const { subject, body } = task.request.message;
    const call = await inquiryModel().classify({ subject, body });
    const parsed = classificationSchema.safeParse(call.value);
    const classification = parsed.success
      ? parsed.data
      : { intent: 'OTHER' as const, invoiceNumbers: [], poNumbers: [], amounts: [] };
    const signals = [
      ...suspiciousSignals({ subject, body }),
      ...(parsed.success ? [] : ['MODEL_OUTPUT_INVALID']),
    ];
    const result: ClassifiedResult = { ...classification, signals };
    const agent = { kind: 'agent' as const, id: INQUIRY_POLICY.agentId };
    return {
      result,
      case: {
        intent: classification.intent,
        references: {
          invoiceNumbers: classification.invoiceNumbers,
          poNumbers: classification.poNumbers,
          amounts: classification.amounts,
        },
        signals,
        message: {
          from: task.request.message.from,
          subject,
          receivedAt: task.request.receivedAt,
          messageHash: task.request.messageHash,
          channel: task.request.channel,
        },
      },
      evidence: [
        {
          recordType: 'model_call',
          eventKey: 'Classify/model_call',
          actor: agent,
          details: {
            modelId: call.modelId,
            promptVersion: call.promptVersion,
            local: call.local,
            usage: call.usage,
            latencyMs: call.latencyMs,
            messageHash: task.request.messageHash,
            classification,
            valid: parsed.success,
            signals,
          },
          business: { decision: classification.intent, reasonCodes: signals },
          payloads: [{ name: 'model-output.json', contentType: 'application/json', body: call.rawOutput }],
        },
      ],
    };
  },
});
