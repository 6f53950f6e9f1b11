import * as z from 'zod';
import { approverOf } from '#platform/approvals/adapters/approval-authority.ts';
import { TollgateError } from '#platform/core/errors.ts';
import { formatMoney, money } from '#platform/core/money.ts';
import { DynamoDbEscrowLedger } from '#platform/escrow/adapters/escrow-ledger-dynamodb.ts';
import { ledgerDay } from '#platform/escrow/core/escrow-ledger.ts';
import { runbookStep } from '#platform/runs/handlers/runbook-step.ts';
import { DynamoDbSystemOfRecord } from '#platform/system-of-record/adapters/system-of-record-dynamodb.ts';
import { DynamoDbTrustStore } from '#platform/trust/adapters/trust-store-dynamodb.ts';
import { REFUND_PAYOUT_POLICY } from '#runbooks/refund-payout/adapters/refund-payout-policy.ts';
import {
  countForPayeeDay,
  releaseReservation,
  reserveAgainstCap,
  uncountForPayeeDay,
} from '#runbooks/refund-payout/adapters/refund-tallies-dynamodb.ts';
import { capOf } from '#runbooks/refund-payout/core/refund-rules.ts';
import {
  AuthorityExceededError,
  gateResult,
  holdIdOf,
  REFUND_TASK,
  RefundRefusedError,
  refundAgentActor,
  refundBusiness,
} from './refund-step.ts';

const ledger = new DynamoDbEscrowLedger({ limits: new DynamoDbTrustStore() });
const sor = new DynamoDbSystemOfRecord();
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * Task Hold: reserves the amount against what the order captured (or the contract owes) — one
 * conditional write, so two runs racing on one order cannot both fit — counts the payee's day,
 * then holds the money in escrow until the cooling-off period ends. An agent acting alone is held
 * to its per-payee count and its pact inside those writes; when a parallel run used up the room
 * since the gate, a person decides instead. Keyed by the run: a retried step holds nothing twice.
 */
export const handler = runbookStep({
  input: {
    ...REFUND_TASK,
    decision: gateResult,
    // Only which approval: who decided and what is re-read from the work room, never taken from the task.
    approval: z.object({ approvalId: z.string().min(1) }).nullable(),
  },
  run: async (task) => {
    const { request } = task;
    const amount = money(request.amount, request.currency);
    const byPerson = task.approval ? await approverOf(task.approval.approvalId, task, amount) : undefined;
    const [order, contract, accountId] = await Promise.all([
      request.kind === 'refund' ? sor.getOrder(request.reference) : undefined,
      request.kind === 'payout' ? sor.getPayoutContract(request.reference) : undefined,
      sor.fundingAccountFor(request.currency),
    ]);
    if (!accountId) throw new Error(`No funding account pays ${request.currency}.`);
    const cap = capOf({ kind: request.kind, order, contract });
    if (!cap) throw new RefundRefusedError(`${request.reference} is no longer in the system of record.`);
    const reserved = await reserveAgainstCap(request.reference, task.executionId, amount.minor, cap.minor);
    if (reserved === 'over')
      throw new RefundRefusedError(
        `${request.kind === 'refund' ? 'Refunds on order' : 'Payouts on contract'} ${request.reference} would exceed ${formatMoney(cap)} with ${formatMoney(amount)} more.`,
      );

    const submitted = new Date(task.submittedAt);
    const day = ledgerDay(submitted);
    const undo = async () => {
      await uncountForPayeeDay(request.payee, day, task.executionId);
      await releaseReservation(request.reference, task.executionId, amount.minor);
    };
    const counted = await countForPayeeDay(
      request.payee,
      day,
      task.executionId,
      byPerson ? null : REFUND_PAYOUT_POLICY.maxRefundsPerPayeePerDay,
    );
    if (counted === 'over') {
      await releaseReservation(request.reference, task.executionId, amount.minor);
      throw new AuthorityExceededError(
        `${request.payee} reached ${REFUND_PAYOUT_POLICY.maxRefundsPerPayeePerDay} payments today while this one waited; a person decides.`,
      );
    }

    const holdId = holdIdOf(request.kind, task.executionId);
    const releaseAt = new Date(submitted.getTime() + REFUND_PAYOUT_POLICY.coolingOffHours * HOUR_MS);
    const expiresAt = new Date(releaseAt.getTime() + REFUND_PAYOUT_POLICY.holdExpiryDays * DAY_MS);
    const actor = byPerson
      ? { kind: 'person' as const, id: byPerson.username, role: byPerson.role }
      : { kind: 'agent' as const, id: request.agentId };
    let hold: Awaited<ReturnType<typeof ledger.hold>>['hold'];
    try {
      ({ hold } = await ledger.hold({
        operationId: `hold:${holdId}`,
        holdId,
        accountId,
        payee: request.payee,
        amount,
        reason:
          `${request.kind === 'refund' ? 'Refund' : 'Payout'} to ${task.decision.payeeName} for ${request.reference}: ${request.reason}`.slice(
            0,
            500,
          ),
        expiresAt,
        releaseAt,
        initiatedBy: actor,
        ...(byPerson ? {} : { agentId: request.agentId }),
        source: { runbook: task.runbook, executionId: task.executionId, document: request.reference },
      }));
    } catch (error) {
      if (error instanceof TollgateError && error.code === 'AGENT_LIMIT_EXCEEDED' && !byPerson) {
        await undo();
        throw new AuthorityExceededError(`${error.message} A person decides.`);
      }
      if (error instanceof TollgateError && !(await ledger.getHold(holdId))) await undo();
      throw error;
    }
    const view = {
      holdId: hold.holdId,
      accountId: hold.accountId,
      payee: hold.payee,
      amount: formatMoney(hold.amount),
      currency: hold.amount.currency,
      status: hold.status,
      releaseAt: hold.releaseAt,
      expiresAt: hold.expiresAt,
      heldBy: byPerson ? `${byPerson.username} (${byPerson.role})` : request.agentId,
    };
    return {
      result: view,
      case: { hold: view, outcome: { status: 'HELD', holdId: hold.holdId, releaseAt: hold.releaseAt } },
      evidence: [
        {
          recordType: 'action',
          eventKey: 'Hold/action',
          actor: byPerson ? actor : refundAgentActor(request.agentId),
          details: { action: 'escrow_hold', ...view, reserved },
          business: refundBusiness(request, { decision: byPerson ? 'APPROVED_BY_PERSON' : 'ALLOW' }),
        },
      ],
    };
  },
});
