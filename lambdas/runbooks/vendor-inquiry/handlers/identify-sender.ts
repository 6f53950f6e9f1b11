import { runbookStep } from '#platform/runs/handlers/runbook-step.ts';
import { INQUIRY_POLICY } from '#runbooks/vendor-inquiry/adapters/inquiry-policy.ts';
import { DynamoDbVendorDirectory } from '#runbooks/vendor-inquiry/adapters/vendor-directory-dynamodb.ts';
import { identifySender, parseSender } from '#runbooks/vendor-inquiry/core/identity.ts';
import { type IdentityResult, INQUIRY_RULES_ACTOR, INQUIRY_TASK } from './inquiry-step.ts';

const directory = new DynamoDbVendorDirectory();

/**
 * Task Identify (deterministic): the sender's address against the contact addresses the vendor
 * master registers, before any data is read. Nobody identified means nothing is disclosed.
 */
export const handler = runbookStep({
  input: INQUIRY_TASK,
  run: async (task) => {
    const sender = parseSender(task.request.message.from);
    const outcome = sender
      ? identifySender(sender, await directory.candidates(sender), INQUIRY_POLICY.sharedMailDomains)
      : ({ identified: false, reason: 'NO_MATCH', signals: [] } as const);
    const result: IdentityResult = outcome.identified
      ? {
          identified: true,
          vendorId: outcome.vendorId,
          vendorName: outcome.vendorName,
          method: outcome.method,
          reason: null,
          signals: [...outcome.signals],
          address: sender?.address ?? null,
        }
      : {
          identified: false,
          vendorId: null,
          vendorName: null,
          method: null,
          reason: outcome.reason,
          signals: [...outcome.signals],
          address: sender?.address ?? null,
        };
    return {
      result,
      case: {
        vendor: result.identified
          ? { vendorId: result.vendorId, name: result.vendorName, identifiedBy: result.method }
          : null,
        identity: { identified: result.identified, method: result.method, reason: result.reason },
      },
      evidence: [
        {
          recordType: 'rule_result',
          eventKey: 'Identify/rule_result',
          actor: INQUIRY_RULES_ACTOR,
          details: {
            rule: 'identity_before_data',
            senderAddress: sender?.address ?? null,
            displayName: sender?.displayName ?? null,
            identified: result.identified,
            method: result.method,
            reason: result.reason,
            signals: result.signals,
            messageHash: task.request.messageHash,
          },
          business: {
            ...(result.vendorId ? { vendorId: result.vendorId } : {}),
            ...(result.vendorName ? { vendorName: result.vendorName } : {}),
            decision: result.identified ? 'IDENTIFIED' : 'NOT_IDENTIFIED',
            reasonCodes: [result.method ?? result.reason ?? 'NO_MATCH'],
          },
        },
      ],
    };
  },
});
