import * as z from 'zod';
import { apiHandler, json } from '#platform/api/http.ts';
import { recordDisputeResolution } from '#platform/aws/metrics.ts';
import { TollgateError } from '#platform/core/errors.ts';
import { money } from '#platform/core/money.ts';
import { requireAnyRole } from '#platform/core/principal.ts';
import { getDispute, markResolved } from '#platform/disputes/adapters/disputes-dynamodb.ts';
import {
  type Dispute,
  disputeOperations,
  resolutionRefusal,
  resolutionSeconds,
} from '#platform/disputes/core/disputes.ts';
import { DynamoDbEscrowLedger } from '#platform/escrow/adapters/escrow-ledger-dynamodb.ts';
import { parseBody } from '#platform/trust/handlers/trust-requests.ts';
import { appendDisputeRecord } from './dispute-evidence.ts';

const ledger = new DynamoDbEscrowLedger();
const body = z.strictObject({
  resolution: z.enum(['post', 'void']),
  reason: z.string().trim().min(3, 'a reason for the resolution (at least 3 characters)').max(2000),
  /** Post only part of the hold (a decimal string); the rest goes back to available. */
  amount: z.string().trim().optional(),
});

/**
 * POST /disputes/{disputeId}/resolution — a controller who did not file the dispute posts the
 * hold (the payment goes ahead, in full or in part) or voids it (the money goes back to the
 * account). The hold's transition and the dispute's record are both conditional; a retry by the
 * same person with the same answer replays, anything else is refused.
 */
export const handler = apiHandler(async (request) => {
  requireAnyRole(request.principal, ['controller'], 'resolve a dispute');
  const disputeId = request.pathParameter('disputeId');
  const input = parseBody(
    body,
    request.jsonBody(),
    '{"resolution": "post" | "void", "reason": "…", "amount"?: "decimal string, post only"}',
  );
  if (input.amount !== undefined && input.resolution !== 'post')
    throw new TollgateError('VALIDATION_FAILED', 'amount: only a post can be partial; omit it to void.');
  const dispute = await getDispute(disputeId);
  if (!dispute) throw new TollgateError('NOT_FOUND', `There is no dispute ${disputeId}.`);
  const me = request.principal.username;
  if (dispute.status === 'RESOLVED') return json(200, sameResolution(dispute, me, input.resolution));
  const refusal = resolutionRefusal(dispute, me);
  if (refusal) throw new TollgateError('FORBIDDEN', refusal, { reason: 'SAME_PERSON' });
  // Parsed against the hold's currency: more decimals than it has, or a negative, is a 400 here.
  const amount = input.amount === undefined ? undefined : money(input.amount, dispute.currency);
  if (amount && amount.minor <= 0n)
    throw new TollgateError(
      'VALIDATION_FAILED',
      'amount: must be more than zero; void the hold to pay nothing.',
    );

  const at = new Date();
  const { hold } = await ledger.resolveDispute({
    operationId: disputeOperations.resolve(disputeId),
    holdId: dispute.holdId,
    resolution: input.resolution,
    ...(amount ? { amount } : {}),
    at,
  });
  const seconds = resolutionSeconds(dispute, at);
  const marked = await markResolved(disputeId, {
    resolution: input.resolution,
    by: me,
    role: 'controller',
    reason: input.reason,
    at: at.toISOString(),
    seconds,
  });
  const resolved = await getDispute(disputeId);
  if (!resolved) throw new Error(`Dispute ${disputeId} cannot be read back.`);
  if (!marked) return json(200, sameResolution(resolved, me, input.resolution));
  const receipt = await appendDisputeRecord(resolved, {
    eventKey: 'Dispute/resolved',
    actor: { kind: 'person', id: me, role: 'controller' },
    details: {
      action: input.resolution === 'post' ? 'dispute_posted' : 'dispute_voided',
      reason: input.reason,
      resolvedAt: resolved.resolvedAt,
      resolutionSeconds: seconds,
      holdStatus: hold.status,
    },
  });
  recordDisputeResolution(seconds, input.resolution);
  return json(200, { ...resolved, holdStatus: hold.status, evidence: receipt.key });
});

function sameResolution(dispute: Dispute, username: string, resolution: string): Dispute {
  if (dispute.resolvedBy === username && dispute.resolution === resolution) return dispute;
  throw new TollgateError(
    'CONFLICT',
    `Dispute ${dispute.disputeId} was already resolved (${dispute.resolution}) by ${dispute.resolvedBy}.`,
    { reason: 'DISPUTE_ALREADY_RESOLVED' },
  );
}
