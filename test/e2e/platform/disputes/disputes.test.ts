import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { money } from '#platform/core/money.ts';
import { getDispute } from '#platform/disputes/adapters/disputes-dynamodb.ts';
import { disputeIdFor } from '#platform/disputes/core/disputes.ts';
import { DynamoDbEscrowLedger } from '#platform/escrow/adapters/escrow-ledger-dynamodb.ts';
import { DynamoDbTrustStore } from '#platform/trust/adapters/trust-store-dynamodb.ts';
import { type Harness, startHarness } from '../../../support/local-stack-harness.ts';

// Disputes over HTTP on the real local stack: a controller freezes a HELD hold, a different
// controller posts or voids it, the initiating agent's trust records the dispute, and a dispute
// racing a payment run leaves exactly one of the two.
const AGENT = 'dispute-test-agent';
const ACCOUNT = 'DSP-USD';
const DAY = 86_400_000;

let harness: Harness;
const trust = new DynamoDbTrustStore();
const ledger = new DynamoDbEscrowLedger({ limits: trust });

async function hold(holdId: string, amount = '100.00') {
  const now = Date.now();
  await ledger.hold({
    operationId: `hold-${holdId}`,
    holdId,
    accountId: ACCOUNT,
    payee: 'V-1100',
    amount: money(amount, 'USD'),
    reason: `invoice ${holdId}`,
    releaseAt: new Date(now - DAY),
    expiresAt: new Date(now + 30 * DAY),
    initiatedBy: { kind: 'agent', id: AGENT },
    agentId: AGENT,
    source: { runbook: 'invoice-reconciliation', executionId: `run-${holdId}`, document: holdId },
  });
}

const file = (holdId: string, user: string, reason = 'vendor says this invoice was already paid by card') =>
  harness.api('POST', `/holds/${holdId}/disputes`, { user, body: { reason } });
const resolve = (disputeId: string, user: string, body: Record<string, unknown>) =>
  harness.api('POST', `/disputes/${disputeId}/resolution`, { user, body });

beforeAll(async () => {
  harness = await startHarness();
  await ledger.fund({ operationId: 'dsp-fund', accountId: ACCOUNT, amount: money('100000.00', 'USD') });
  await trust.registerAgent({
    agentId: AGENT,
    displayName: 'Dispute test agent',
    pacts: [{ action: 'payment.hold', perActionLimit: '1000.00', dailyLimit: '100000.00', currency: 'USD' }],
  });
});
afterAll(async () => {
  await harness?.stop();
});

describe('disputes on holds', () => {
  it('freezes a held payment: no payment run, no expiry; a double-click answers the same dispute', async () => {
    // Prepare
    await hold('H-D1');

    // Act
    const filed = await file('H-D1', 'casey.controller');
    const again = await file('H-D1', 'casey.controller');
    const other = await file('H-D1', 'dana.controller', 'a different story');

    // Assess
    expect(filed.status, JSON.stringify(filed.body)).toBe(201);
    expect(filed.body).toMatchObject({
      disputeId: disputeIdFor('H-D1'),
      status: 'OPEN',
      filedBy: 'casey.controller',
      amount: '100.00',
      currency: 'USD',
      agentId: AGENT,
      agent: { outcome: 'disputed' },
    });
    expect(filed.body.evidence).toMatch(/^records\//);
    expect(again.status).toBe(200);
    expect(again.body.disputeId).toBe(filed.body.disputeId);
    expect(other.status).toBe(409);
    expect(other.body.error.details?.reason ?? other.body.error.reason).toBe('DISPUTE_ALREADY_FILED');
    expect((await ledger.getHold('H-D1'))?.status).toBe('DISPUTED');
    expect((await ledger.payableHolds(ACCOUNT, new Date(), 100)).map((h) => h.holdId)).not.toContain('H-D1');
    await expect(
      ledger.startPayment({ operationId: 'pay-H-D1', holdId: 'H-D1', paymentId: 'P1' }),
    ).rejects.toMatchObject({
      code: 'HOLD_NOT_OPEN',
    });
    const outcomes = (await trust.outcomes(AGENT)).filter((o) => o.decisionId === filed.body.disputeId);
    expect(outcomes.map((o) => o.kind)).toEqual(['disputed']);
    const listed = await harness.api('GET', '/disputes', { user: 'dana.controller' });
    expect(
      listed.body.disputes.find((d: { disputeId: string }) => d.disputeId === filed.body.disputeId),
    ).toMatchObject({
      youMayResolve: true,
    });
  });

  it('is resolved only by a controller who did not file it, once, and voiding returns the money', async () => {
    // Prepare
    const disputeId = disputeIdFor('H-D1');
    const before = await ledger.getAccount(ACCOUNT);

    // Act
    const byFiler = await resolve(disputeId, 'casey.controller', {
      resolution: 'void',
      reason: 'paid by card',
    });
    const byClerk = await resolve(disputeId, 'blake.clerk', { resolution: 'void', reason: 'paid by card' });
    const voided = await resolve(disputeId, 'dana.controller', {
      resolution: 'void',
      reason: 'paid by card, receipt seen',
    });
    const replay = await resolve(disputeId, 'dana.controller', {
      resolution: 'void',
      reason: 'paid by card, receipt seen',
    });
    const flip = await resolve(disputeId, 'dana.controller', {
      resolution: 'post',
      reason: 'changed my mind',
    });

    // Assess
    expect(byFiler.status).toBe(403);
    expect(JSON.stringify(byFiler.body)).toContain('SAME_PERSON');
    expect(byClerk.status).toBe(403);
    expect(voided.status, JSON.stringify(voided.body)).toBe(200);
    expect(voided.body).toMatchObject({
      status: 'RESOLVED',
      resolution: 'void',
      resolvedBy: 'dana.controller',
      holdStatus: 'VOIDED',
    });
    expect(voided.body.resolutionSeconds).toBeGreaterThanOrEqual(0);
    expect(replay.status).toBe(200);
    expect(flip.status).toBe(409);
    const after = await ledger.getAccount(ACCOUNT);
    expect(after?.available.minor).toBe((before?.available.minor ?? 0n) + 10000n);
    expect(after?.held.minor).toBe((before?.held.minor ?? 0n) - 10000n);
    expect((await ledger.getHold('H-D1'))?.status).toBe('VOIDED');
  });

  it('posts part of a disputed hold when the resolver says so, and refuses an over-precise amount first', async () => {
    // Prepare
    await hold('H-D2', '100.00');
    const filed = await file('H-D2', 'dana.controller', 'quantity short by four units');

    // Act
    const precise = await resolve(filed.body.disputeId, 'casey.controller', {
      resolution: 'post',
      reason: 'short',
      amount: '60.001',
    });
    const negative = await resolve(filed.body.disputeId, 'casey.controller', {
      resolution: 'post',
      reason: 'short',
      amount: '-5.00',
    });
    const stillDisputed = (await ledger.getHold('H-D2'))?.status;
    const posted = await resolve(filed.body.disputeId, 'casey.controller', {
      resolution: 'post',
      reason: 'pay what was delivered',
      amount: '60.00',
    });

    // Assess
    expect(precise.status).toBe(400);
    expect(negative.status).toBe(400);
    expect(stillDisputed).toBe('DISPUTED');
    expect(posted.status, JSON.stringify(posted.body)).toBe(200);
    const h = await ledger.getHold('H-D2');
    expect(h?.status).toBe('POSTED');
    expect(h?.postedAmount.minor).toBe(6000n);
  });

  it('refuses bad input with a code and writes nothing', async () => {
    // Prepare
    await hold('H-D3');
    await ledger.startPayment({ operationId: 'pay-H-D3', holdId: 'H-D3', paymentId: 'P3' });

    // Act
    const paid = await file('H-D3', 'casey.controller');
    const unknown = await file('H-NOPE', 'casey.controller');
    const noReason = await harness.api('POST', '/holds/H-D3/disputes', {
      user: 'casey.controller',
      body: {},
    });
    const clerk = await file('H-D3', 'avery.clerk');
    const noDispute = await resolve('DSP-nothing', 'casey.controller', {
      resolution: 'void',
      reason: 'x y z',
    });

    // Assess
    expect(paid.status).toBe(409);
    expect(paid.body.error.code).toBe('HOLD_NOT_OPEN');
    expect(unknown.status).toBe(404);
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.code).toBe('VALIDATION_FAILED');
    expect(clerk.status).toBe(403);
    expect(noDispute.status).toBe(404);
    expect(await getDispute(disputeIdFor('H-D3'))).toBeUndefined();
    expect((await ledger.getHold('H-D3'))?.status).toBe('IN_PAYMENT');
  });

  it('racing a payment run for the same hold, leaves exactly one: frozen or in payment, never both', async () => {
    // Prepare
    const ids = Array.from({ length: 12 }, (_, i) => `H-RACE-${i}`);
    for (const id of ids) await hold(id, '10.00');

    // Act
    const results = await Promise.all(
      ids.map(async (id) => {
        const [dispute, payment] = await Promise.allSettled([
          file(id, 'casey.controller', 'race'),
          ledger.startPayment({ operationId: `pay-${id}`, holdId: id, paymentId: `P-${id}` }),
        ]);
        return { id, dispute, payment };
      }),
    );

    // Assess
    for (const { id, dispute, payment } of results) {
      const status = (await ledger.getHold(id))?.status;
      const record = await getDispute(disputeIdFor(id));
      const disputeWon = dispute.status === 'fulfilled' && dispute.value.status === 201;
      const paymentWon = payment.status === 'fulfilled';
      expect(
        disputeWon !== paymentWon,
        `${id}: dispute ${JSON.stringify(dispute)}, payment ${payment.status}`,
      ).toBe(true);
      expect(status).toBe(disputeWon ? 'DISPUTED' : 'IN_PAYMENT');
      expect(record === undefined).toBe(!disputeWon);
      if (!disputeWon && dispute.status === 'fulfilled')
        expect(dispute.value.body.error.code).toBe('HOLD_NOT_OPEN');
    }
  });
});
