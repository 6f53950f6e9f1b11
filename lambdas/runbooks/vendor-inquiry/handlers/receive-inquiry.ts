import { approvalTimeoutSeconds } from '#platform/approvals/adapters/approval-timeout.ts';
import { canonicalJson } from '#platform/core/canonical-json.ts';
import { sha256Hex } from '#platform/core/hashing.ts';
import type { IntakeContext } from '#platform/runs/core/runbook-module.ts';
import { INQUIRY_POLICY } from '#runbooks/vendor-inquiry/adapters/inquiry-policy.ts';
import type { VendorInquiryRequest } from '#runbooks/vendor-inquiry/module.ts';

/**
 * Receiving an inquiry: the message is kept as it arrived, with its hash (what evidence names)
 * and when it was received (the response time counts from it).
 */
export async function receiveInquiry(
  context: IntakeContext<VendorInquiryRequest>,
): Promise<Record<string, unknown>> {
  const { message, receivedAt } = context.body;
  return {
    request: {
      message,
      receivedAt: receivedAt ?? context.submittedAt,
      messageHash: sha256Hex(canonicalJson(message)),
      channel: 'api',
    },
    reviewTimeoutSeconds: approvalTimeoutSeconds(INQUIRY_POLICY.reviewTimeoutHours * 3600),
  };
}
