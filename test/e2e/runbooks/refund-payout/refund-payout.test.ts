import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbEscrowLedger } from '#platform/escrow/adapters/escrow-ledger-dynamodb.ts';
import { DynamoDbEvidenceChain } from '#platform/evidence/adapters/evidence-chain-dynamodb.ts';
import { DynamoDbTrustStore } from '#platform/trust/adapters/trust-store-dynamodb.ts';
import { reservedAgainst } from '#runbooks/refund-payout/adapters/refund-tallies-dynamodb.ts';
import { TREASURY_SEED } from '../../../../bin/commands/demo-payments.ts';
import { readSnapshot, seed } from '../../../../bin/commands/seed.ts';
import { erp } from '../../../support/ap-invoices.ts';
import { type Harness, startHarness } from '../../../support/local-stack-harness.ts';

// Refunds and payouts over HTTP on the local stack: an agent within its pact is held with a
// cooling-off period; over its daily limit, to another payment method or to a new partner a
// person decides; above what the customer paid it is refused; two refunds racing on one order
// cannot both fit; bad input starts nothing.
let harness: Harness;
const ledger = new DynamoDbEscrowLedger();
const evidence = new DynamoDbEvidenceChain();
const trust = new DynamoDbTrustStore();
const AGENT = 'support-refund-agent';
const HOUR_MS = 3_600_000;

beforeAll(async () => {
  harness = await startHarness();
  const treasury = readSnapshot(TREASURY_SEED);
  await seed(erp);
  await seed({
    ...treasury,
    // Tighter limits than the demo's, so one test day reaches them: 200.00 an action, 150.00 a day.
    agents: treasury.agents.map((a) =>
      a.agentId === AGENT ? { ...a, autoApproveLimit: '200.00', dailyLimit: '150.00' } : a,
    ),
    orders: [
      ...treasury.orders,
      {
        orderId: 'ORD-RACE',
        customerId: 'C-3002',
        currency: 'USD',
        orderDate: '2026-11-25',
        charges: [
          {
            chargeId: 'CH-RACE',
            amount: '150.00',
            capturedAt: '2026-11-25',
            paymentMethod: { type: 'bank_account', account: '5512098765' },
          },
        ],
      },
      { orderId: 'ORD-GBP', customerId: 'C-3001', currency: 'GBP', orderDate: '2026-11-25', charges: [] },
    ],
  });
});
afterAll(async () => {
  await harness?.stop();
});

function refund(overrides: Record<string, unknown> = {}) {
  return {
    kind: 'refund',
    agentId: AGENT,
    customerId: 'C-3001',
    orderId: 'ORD-5001',
    amount: '49.90',
    currency: 'USD',
    reason: 'Item arrived damaged; customer returned it.',
    ...overrides,
  };
}

function start(key: string, body: unknown, user = 'gray.admin') {
  return harness.api('POST', '/runbooks/refund-payout/executions', {
    user,
    body,
    headers: { 'Idempotency-Key': key },
  });
}

/** Waits until the run ends or waits for a person. */
async function settle(executionId: string): Promise<any> {
  return harness.waitForDecision(executionId);
}

async function run(key: string, body: unknown): Promise<{ executionId: string; view: any }> {
  const started = await start(key, body);
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  const executionId = started.body.executionId as string;
  return { executionId, view: await settle(executionId) };
}

/** The approval carries the amount and currency; the decider's limit is checked against them. */
function decide(executionId: string, user: string, decision: string) {
  return harness.api('POST', `/approvals/${executionId}-1/decision`, {
    user,
    body: { decision, comment: 'Checked the order and the return.' },
  });
}

async function countRuns(): Promise<number> {
  const listed = await harness.api('GET', '/executions?runbook=refund-payout&limit=100', {
    user: 'gray.admin',
  });
  expect(listed.status, JSON.stringify(listed.body)).toBe(200);
  return listed.body.executions.length;
}

describe('refunds within and outside the agent authority', () => {
  let heldByAgent: string;

  it('holds a refund within the pact for the cooling-off period, with the order and its charge as evidence', async () => {
    // Act
    const { executionId, view } = await run('refund-within-1', refund());

    // Assess
    expect(view.status, JSON.stringify(view)).toBe('SUCCEEDED');
    expect(view.decision).toBe('ALLOW');
    expect(view.outcome).toMatchObject({ status: 'HELD' });
    const hold = await ledger.getHold(view.hold.holdId);
    expect(hold).toMatchObject({ status: 'HELD', payee: 'customer:C-3001', agentId: AGENT });
    expect(hold?.amount).toEqual({ minor: 4990n, currency: 'USD' });
    // Released to a payment run only after the policy's 24 hours.
    expect(Date.parse(hold?.releaseAt ?? '') - Date.parse(hold?.createdAt ?? '')).toBeGreaterThan(
      23 * HOUR_MS,
    );
    const ruled = await evidence.findEvent(executionId, 'Assess/rule_result');
    expect(ruled?.record.details).toMatchObject({
      order: { orderId: 'ORD-5001', charges: [{ chargeId: 'CH-9001', amount: '189.90' }] },
      cap: '189.90',
    });
    heldByAgent = view.hold.holdId;
  });

  it('sends a refund past the agent daily limit to a person, whose approval is the agent outcome and holds in their name', async () => {
    // Act: 49.90 used today; 120.00 more passes the 150.00 daily limit (within the per-action 200.00).
    const { executionId, view } = await run('refund-daily-1', refund({ amount: '120.00' }));

    // Assess
    expect(view.reasonCodes).toContain('DAILY_LIMIT_EXCEEDED');
    expect(view.approval).toMatchObject({ status: 'PENDING', requiredRole: 'ap_clerk' });
    expect(await ledger.getHold(`RF-${executionId}`)).toBeUndefined();
    // The requester may not decide their own request; a clerk may.
    expect((await decide(executionId, 'gray.admin', 'APPROVE')).status).toBe(403);
    const decided = await decide(executionId, 'avery.clerk', 'APPROVE');
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    const done = await settle(executionId);
    expect(done.outcome).toMatchObject({ status: 'HELD' });
    const hold = await ledger.getHold(`RF-${executionId}`);
    expect(hold?.initiatedBy).toMatchObject({ kind: 'person', id: 'avery.clerk' });
    expect(hold?.agentId).toBeNull();
    const outcomes = await trust.outcomes(AGENT);
    expect(outcomes.map((o) => o.kind)).toContain('confirmed');
  });

  it('refuses a refund above what the customer paid on the order, and holds nothing', async () => {
    // Act: ORD-5002 captured 64.00.
    const { executionId, view } = await run(
      'refund-over-charge-1',
      refund({ customerId: 'C-3002', orderId: 'ORD-5002', amount: '70.00' }),
    );

    // Assess
    expect(view.status).toBe('SUCCEEDED');
    expect(view.decision).toBe('DENY');
    expect(view.reasonCodes).toContain('REFUND_EXCEEDS_CHARGE');
    expect(view.outcome).toMatchObject({ status: 'REFUSED' });
    expect(await ledger.getHold(`RF-${executionId}`)).toBeUndefined();
    expect((await reservedAgainst('ORD-5002')).minor).toBe(0n);
  });

  it('never refunds to a method other than the one that paid on its own: a controller decides, a clerk is refused', async () => {
    // Act: ORD-5002 was paid by card; the refund would go to the bank account on file.
    const { executionId, view } = await run(
      'refund-other-method-1',
      refund({ customerId: 'C-3002', orderId: 'ORD-5002', amount: '20.00' }),
    );

    // Assess
    expect(view.reasonCodes).toContain('REFUND_TO_OTHER_METHOD');
    expect(view.approval).toMatchObject({ status: 'PENDING', requiredRole: 'controller' });
    expect((await decide(executionId, 'avery.clerk', 'APPROVE')).status).toBe(403);
    expect((await decide(executionId, 'casey.controller', 'REJECT')).status).toBe(200);
    const done = await settle(executionId);
    expect(done.outcome).toMatchObject({ status: 'REJECTED', decidedBy: 'casey.controller' });
    expect(await ledger.getHold(`RF-${executionId}`)).toBeUndefined();
    expect((await reservedAgainst('ORD-5002')).minor).toBe(0n);
  });

  it('lets only one of two refunds racing on one order fit under what was captured', async () => {
    // Act: two 100.00 refunds at once on an order that captured 150.00.
    const [first, second] = await Promise.all([
      run('refund-race-a', refund({ customerId: 'C-3002', orderId: 'ORD-RACE', amount: '100.00' })),
      run('refund-race-b', refund({ customerId: 'C-3002', orderId: 'ORD-RACE', amount: '100.00' })),
    ]);

    // Assess: exactly one hold; the other refused, whether by the gate or at the hold.
    const outcomes = [first.view.outcome?.status, second.view.outcome?.status].sort();
    expect(outcomes, JSON.stringify([first.view, second.view])).toEqual(['HELD', 'REFUSED']);
    const holds = await Promise.all([first, second].map((r) => ledger.getHold(`RF-${r.executionId}`)));
    expect(holds.filter(Boolean)).toHaveLength(1);
    expect((await reservedAgainst('ORD-RACE')).minor).toBe(10_000n);
  });

  it('lets a controller dispute a held refund and another void it, and the dispute is the agent outcome', async () => {
    // Act
    const filed = await harness.api('POST', `/holds/${heldByAgent}/disputes`, {
      user: 'dana.controller',
      body: { reason: 'Customer says the return never arrived at the warehouse.' },
    });
    expect(filed.status, JSON.stringify(filed.body)).toBe(201);
    expect((await ledger.getHold(heldByAgent))?.status).toBe('DISPUTED');
    const resolved = await harness.api('POST', `/disputes/${filed.body.disputeId}/resolution`, {
      user: 'casey.controller',
      body: { resolution: 'void', reason: 'Warehouse confirms no return was received.' },
    });

    // Assess
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
    expect((await ledger.getHold(heldByAgent))?.status).toBe('VOIDED');
    expect((await trust.outcomes(AGENT)).map((o) => o.kind)).toContain('disputed');
  });
});

describe("the payee's account owner may dispute a refund", () => {
  it('lets the account owner of the customer file, refuses another clerk, and leaves the resolution to a controller', async () => {
    // Prepare: a refund to C-3001, whose account owner in the system of record is blake.clerk.
    // The agent already made its two refunds to C-3001 today, so a clerk approves this third one.
    const { executionId, view: waiting } = await run(
      'refund-owner-1',
      refund({ amount: '10.00', reason: 'Late delivery credit.' }),
    );
    expect(waiting.reasonCodes).toContain('PAYEE_DAILY_COUNT');
    expect((await decide(executionId, 'avery.clerk', 'APPROVE')).status).toBe(200);
    const view = await settle(executionId);
    const holdId = view.hold?.holdId as string;
    expect(view.outcome, JSON.stringify(view)).toMatchObject({ status: 'HELD' });
    const file = (user: string, id: string) =>
      harness.api('POST', `/holds/${id}/disputes`, {
        user,
        body: { reason: 'The customer was refunded by card already.' },
      });

    // Act
    const stranger = await file('avery.clerk', holdId);
    const owner = await file('blake.clerk', holdId);

    // Assess
    expect(stranger.status).toBe(403);
    expect(stranger.body.error.reason).toBe('NOT_ACCOUNT_OWNER');
    expect(owner.status, JSON.stringify(owner.body)).toBe(201);
    expect(owner.body).toMatchObject({ filedBy: 'blake.clerk', filedRole: 'account_owner' });
    expect((await ledger.getHold(holdId))?.status).toBe('DISPUTED');
    // The filer never resolves; a controller does.
    const own = await harness.api('POST', `/disputes/${owner.body.disputeId}/resolution`, {
      user: 'blake.clerk',
      body: { resolution: 'void', reason: 'mine' },
    });
    expect(own.status).toBe(403);
    const resolved = await harness.api('POST', `/disputes/${owner.body.disputeId}/resolution`, {
      user: 'dana.controller',
      body: { resolution: 'post', reason: 'The card refund was for another order; this one stands.' },
    });
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
    expect((await ledger.getHold(holdId))?.status).toBe('POSTED');
  });
});

describe('held refunds reach a payment run only after the cooling-off period', () => {
  const payRun = async (key: string, asOf: string) => {
    const started = await harness.api('POST', '/runbooks/payment-run/executions', {
      user: 'casey.controller',
      body: { accountId: 'AP-USD-OPERATING', asOf },
      headers: { 'Idempotency-Key': key },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    return settle(started.body.executionId);
  };
  const day = (offsetDays: number) =>
    new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

  it('pays nothing today, and pays the customers at their accounts on file once the period is over', async () => {
    // Act
    const today = await payRun('refund-payrun-today', day(0));
    const later = await payRun('refund-payrun-later', day(2));

    // Assess: the held refunds (120.00 to C-3001, 100.00 to C-3002) wait out their 24 hours.
    expect(today.proposal?.payments ?? 0, JSON.stringify(today)).toBe(0);
    expect(later.proposal, JSON.stringify(later)).toMatchObject({ payments: 2, total: '220.00' });
    // A customer never paid by a run is a first-time payee: a second controller releases the run.
    expect(later.proposal.firstTimePayees.sort()).toEqual(['customer:C-3001', 'customer:C-3002']);
  });
});

describe('payouts to partners', () => {
  it('sends a first payout to a person, and refuses one above what the contract owes', async () => {
    const payout = (amount: string) => ({
      kind: 'payout',
      agentId: 'marketplace-payout-agent',
      partnerId: 'P-4001',
      contractId: 'K-4001',
      amount,
      currency: 'USD',
      reason: 'November sales commission.',
    });
    const first = await run('payout-first-1', payout('300.00'));
    expect(first.view.reasonCodes).toContain('FIRST_PAYOUT');
    expect(first.view.approval).toMatchObject({ status: 'PENDING', requiredRole: 'ap_clerk' });

    const over = await run('payout-over-1', payout('1250.01'));
    expect(over.view.outcome).toMatchObject({ status: 'REFUSED' });
    expect(over.view.reasonCodes).toContain('PAYOUT_EXCEEDS_BALANCE');
  });
});

describe('bad refund requests start nothing', () => {
  it.each([
    ['an unknown customer', refund({ customerId: 'C-9999' }), 'UNKNOWN_PAYEE'],
    ['an order of another customer', refund({ customerId: 'C-3002' }), 'ORDER_NOT_FOR_PAYEE'],
    ['an agent the policy does not name', refund({ agentId: 'invoice-review-agent' }), 'AGENT_NOT_PERMITTED'],
    ['a currency other than the order', refund({ currency: 'EUR' }), 'CURRENCY_MISMATCH'],
    ['a currency nothing funds', refund({ orderId: 'ORD-GBP', currency: 'GBP' }), 'CURRENCY_NOT_FUNDED'],
    ['a zero amount', refund({ amount: '0.00' }), 'AMOUNT_NOT_POSITIVE'],
  ])('refuses %s with its reason', async (_what, body, reason) => {
    const before = await countRuns();
    const answered = await start(`bad-${reason}`, body);
    expect(answered.status, JSON.stringify(answered.body)).toBe(400);
    expect(answered.body.error.reason).toBe(reason);
    expect(await countRuns()).toBe(before);
  });

  it.each([
    ['a negative amount', '-5.00'],
    ['an amount finer than cents', '1.234'],
    ['an exponent', '1e3'],
  ])('refuses %s as invalid', async (_what, amount) => {
    const before = await countRuns();
    const answered = await start(`bad-amount-${amount}`, refund({ amount }));
    expect(answered.status, JSON.stringify(answered.body)).toBe(400);
    expect(answered.body.error.code).toBe('VALIDATION_FAILED');
    expect(await countRuns()).toBe(before);
  });
});
