import * as z from 'zod';
import { apiHandler, json } from '#platform/api/http.ts';
import { TollgateError } from '#platform/core/errors.ts';
import { requireAnyRole } from '#platform/core/principal.ts';
import { getDispute, recordDispute } from '#platform/disputes/adapters/disputes-dynamodb.ts';
import {
  type Dispute,
  disputeIdFor,
  disputeOperations,
  newDispute,
} from '#platform/disputes/core/disputes.ts';
import { DynamoDbEscrowLedger } from '#platform/escrow/adapters/escrow-ledger-dynamodb.ts';
import { DynamoDbSystemOfRecord } from '#platform/system-of-record/adapters/system-of-record-dynamodb.ts';
import { afterOutcome, appendTrustEvent } from '#platform/trust/adapters/trust-events.ts';
import { DynamoDbTrustStore } from '#platform/trust/adapters/trust-store-dynamodb.ts';
import { trustStream } from '#platform/trust/core/outcomes.ts';
import { parseBody } from '#platform/trust/handlers/trust-requests.ts';
import { appendDisputeRecord } from './dispute-evidence.ts';

const ledger = new DynamoDbEscrowLedger();
const trust = new DynamoDbTrustStore();
const sor = new DynamoDbSystemOfRecord();
const body = z.strictObject({
  reason: z.string().trim().min(3, 'a reason saying what is wrong (at least 3 characters)').max(2000),
});

/**
 * POST /holds/{holdId}/disputes — a controller (or the payee's account owner) freezes a HELD hold: from then on it can neither be
 * paid nor expire until a different person resolves the dispute. The hold moves first (a
 * conditional write, so a payment run that took the hold first wins and nothing is written);
 * then the dispute, its evidence, and the initiating agent's `disputed` outcome. A retry or a
 * double-click answers the same dispute.
 */
export const handler = apiHandler(async (request) => {
  requireAnyRole(request.principal, ['controller', 'ap_clerk', 'fpa'], 'dispute a hold');
  const holdId = request.pathParameter('holdId');
  const input = parseBody(body, request.jsonBody(), '{"reason": "what is wrong with this payment"}');
  const hold = await ledger.getHold(holdId);
  if (!hold) throw new TollgateError('NOT_FOUND', `There is no hold ${holdId}.`);
  const disputeId = disputeIdFor(holdId);
  const me = request.principal.username;
  const filedRole = await filingRole(request.principal.roles, me, hold.payee);

  const existing = await getDispute(disputeId);
  if (existing) return json(200, sameFiling(existing, me, input.reason));
  if (hold.status !== 'HELD' && hold.status !== 'DISPUTED')
    throw new TollgateError(
      'HOLD_NOT_OPEN',
      `Hold ${holdId} is ${hold.status}: only a hold waiting for payment can be disputed${hold.status === 'IN_PAYMENT' ? ' (it is in a bank file; ask the bank to recall the payment)' : ''}.`,
      { holdId, status: hold.status },
    );

  const at = new Date();
  // The hold first: if a payment run or the sweeper got there first, this refuses and nothing is written.
  await ledger.dispute({ operationId: disputeOperations.file(disputeId), holdId, at });
  const dispute = newDispute(hold, { filedBy: me, filedRole, reason: input.reason, at });
  if (!(await recordDispute(dispute))) {
    const raced = await getDispute(disputeId);
    if (!raced) throw new Error(`Dispute ${disputeId} was recorded but cannot be read back.`);
    return json(200, sameFiling(raced, me, input.reason));
  }
  const receipt = await appendDisputeRecord(dispute, {
    eventKey: 'Dispute/filed',
    actor: { kind: 'person', id: me, role: filedRole },
    details: { action: 'dispute_filed', reason: dispute.reason, filedAt: dispute.filedAt },
  });
  const outcome = await disputedOutcome(dispute);
  return json(201, { ...dispute, evidence: receipt.key, ...(outcome ? { agent: outcome } : {}) });
});

/**
 * Who may file: a controller on any hold; anyone else only as the account owner the system of
 * record names for the customer or partner the hold pays (`customer:<id>`, `partner:<id>`).
 */
async function filingRole(roles: readonly string[], username: string, payee: string): Promise<string> {
  if (roles.includes('controller')) return 'controller';
  const [kind, ...rest] = payee.split(':');
  const id = rest.join(':');
  const party =
    kind === 'customer' && id
      ? await sor.getCustomer(id)
      : kind === 'partner' && id
        ? await sor.getPartner(id)
        : undefined;
  if (party?.accountOwner && party.accountOwner === username) return 'account_owner';
  throw new TollgateError(
    'FORBIDDEN',
    `Only a controller, or the account owner of the customer or partner this hold pays, may dispute it.`,
    { reason: 'NOT_ACCOUNT_OWNER' },
  );
}

function sameFiling(dispute: Dispute, username: string, reason: string): Dispute {
  if (dispute.filedBy === username && dispute.reason === reason) return dispute;
  throw new TollgateError(
    'CONFLICT',
    `Hold ${dispute.holdId} is already disputed (${dispute.disputeId}, filed by ${dispute.filedBy}, ${dispute.status}).`,
    { reason: 'DISPUTE_ALREADY_FILED', disputeId: dispute.disputeId },
  );
}

/** The dispute is the initiating agent's outcome, once (keyed by the dispute id); it may demote the agent. */
async function disputedOutcome(dispute: Dispute) {
  if (!dispute.agentId || !(await trust.loadAgentStanding(dispute.agentId))) return undefined;
  const agentId = dispute.agentId;
  const eventKey = `Trust/dispute/${dispute.disputeId}`;
  const result = await trust.recordOutcome({
    agentId,
    decisionId: dispute.disputeId,
    kind: 'disputed',
    action: 'payment.hold',
    recordedBy: dispute.filedBy,
    at: new Date(dispute.filedAt),
    ...(dispute.runbook ? { runbook: dispute.runbook } : {}),
    ...(dispute.executionId ? { executionId: dispute.executionId } : {}),
    reason: dispute.reason,
    evidence: { executionId: trustStream(agentId), eventKey },
  });
  await appendTrustEvent(agentId, {
    recordType: 'action',
    eventKey,
    actor: { kind: 'person', id: dispute.filedBy, role: dispute.filedRole },
    details: {
      agentId,
      outcome: 'disputed',
      disputeId: dispute.disputeId,
      holdId: dispute.holdId,
      reason: dispute.reason,
      at: dispute.filedAt,
      ...(dispute.executionId ? { executionId: dispute.executionId } : {}),
    },
    business: {
      amount: dispute.amount,
      currency: dispute.currency,
      decision: 'DISPUTED',
      reasonCodes: ['DISPUTED'],
    },
  });
  await afterOutcome(agentId, dispute.disputeId, result);
  const standing = await trust.loadAgentStanding(agentId);
  return {
    agentId,
    outcome: 'disputed',
    tier: standing?.tier,
    ...(result.demotedTo ? { demotedTo: result.demotedTo } : {}),
  };
}
