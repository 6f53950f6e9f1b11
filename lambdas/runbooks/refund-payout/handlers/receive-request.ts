import { approvalTimeoutSeconds } from '#platform/approvals/adapters/approval-timeout.ts';
import { TollgateError } from '#platform/core/errors.ts';
import { compare, money, zero } from '#platform/core/money.ts';
import type { IntakeContext } from '#platform/runs/core/runbook-module.ts';
import { DynamoDbSystemOfRecord } from '#platform/system-of-record/adapters/system-of-record-dynamodb.ts';
import { loadAgentStanding } from '#platform/trust/adapters/trust-store-dynamodb.ts';
import { REFUND_PAYOUT_POLICY } from '#runbooks/refund-payout/adapters/refund-payout-policy.ts';
import { payeeKey } from '#runbooks/refund-payout/core/refund-rules.ts';
import type { RefundPayoutRequest } from '#runbooks/refund-payout/module.ts';
import type { RefundTaskRequest } from './refund-step.ts';

const sor = new DynamoDbSystemOfRecord();

function refuse(reason: string, message: string): never {
  throw new TollgateError('VALIDATION_FAILED', message, { reason });
}

/**
 * Starting a refund or payout: the agent must be one the policy names for the kind and have a
 * standing; the payee, and the order or contract, must be in the system of record and belong
 * together; the amount must be positive and exact in its currency, which a funding account pays
 * and the order or contract is in. Anything else is refused here, before a run exists.
 */
export async function receiveRequest(
  context: IntakeContext<RefundPayoutRequest>,
): Promise<Record<string, unknown>> {
  const body = context.body;
  if (!REFUND_PAYOUT_POLICY.agents[body.kind].includes(body.agentId))
    refuse(
      'AGENT_NOT_PERMITTED',
      `agentId: ${body.agentId} is not an agent the refund-payout policy names for ${body.kind}s.`,
    );
  if (!(await loadAgentStanding(body.agentId)))
    throw new TollgateError('UNKNOWN_AGENT', `agentId: no agent ${body.agentId} is registered.`, {
      reason: 'UNKNOWN_AGENT',
    });
  // money() refuses a malformed or over-precise amount with VALIDATION_FAILED and says why.
  const amount = money(body.amount, body.currency);
  if (compare(amount, zero(body.currency)) <= 0)
    refuse('AMOUNT_NOT_POSITIVE', 'amount: must be more than zero.');

  let payeeId: string;
  let reference: string;
  let referenceCurrency: string;
  if (body.kind === 'refund') {
    const customer = await sor.getCustomer(body.customerId);
    if (!customer)
      refuse('UNKNOWN_PAYEE', `customerId: no customer ${body.customerId} in the system of record.`);
    const order = await sor.getOrder(body.orderId);
    if (!order) refuse('UNKNOWN_ORDER', `orderId: no order ${body.orderId} in the system of record.`);
    if (order.customerId !== customer.customerId)
      refuse(
        'ORDER_NOT_FOR_PAYEE',
        `orderId: order ${body.orderId} is not an order of customer ${body.customerId}.`,
      );
    if (!customer.bankAccount || !customer.routingNumber)
      refuse(
        'NO_REFUND_ACCOUNT',
        `customerId: customer ${body.customerId} has no bank account on file to refund to; add one through the system of record first.`,
      );
    payeeId = customer.customerId;
    reference = order.orderId;
    referenceCurrency = order.currency;
  } else {
    const partner = await sor.getPartner(body.partnerId);
    if (!partner) refuse('UNKNOWN_PAYEE', `partnerId: no partner ${body.partnerId} in the system of record.`);
    const contract = await sor.getPayoutContract(body.contractId);
    if (!contract)
      refuse('UNKNOWN_CONTRACT', `contractId: no contract ${body.contractId} in the system of record.`);
    if (contract.partnerId !== partner.partnerId)
      refuse(
        'CONTRACT_NOT_FOR_PAYEE',
        `contractId: contract ${body.contractId} is not a contract of partner ${body.partnerId}.`,
      );
    payeeId = partner.partnerId;
    reference = contract.contractId;
    referenceCurrency = contract.currency;
  }
  if (referenceCurrency !== body.currency)
    refuse(
      'CURRENCY_MISMATCH',
      `currency: ${body.kind === 'refund' ? 'the order' : 'the contract'} is in ${referenceCurrency}, not ${body.currency}.`,
    );
  if (!(await sor.fundingAccountFor(body.currency)))
    refuse('CURRENCY_NOT_FUNDED', `currency: no funding account pays ${body.currency}.`);

  const request: RefundTaskRequest = {
    kind: body.kind,
    agentId: body.agentId,
    payeeId,
    payee: payeeKey(body.kind, payeeId),
    reference,
    amount: body.amount.trim(),
    currency: body.currency,
    reason: body.reason,
  };
  return {
    request,
    decisionTimeoutSeconds: approvalTimeoutSeconds(REFUND_PAYOUT_POLICY.decisionTimeoutHours * 3600),
  };
}
