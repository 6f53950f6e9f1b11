import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TollgateError } from '#platform/core/errors.ts';
import { money } from '#platform/core/money.ts';
import { DynamoDbEscrowLedger } from '#platform/escrow/adapters/escrow-ledger-dynamodb.ts';
import { type LocalTables, startLocalTables } from '../../../support/dynamodb-tables.ts';

let tables: LocalTables;
let ledger: DynamoDbEscrowLedger;
const NOW = new Date('2026-12-01T10:00:00.000Z');
const DAY = 86_400_000;

beforeAll(async () => {
  tables = await startLocalTables();
  ledger = new DynamoDbEscrowLedger({ client: tables.client() });
  await ledger.fund({
    operationId: 'pp-fund',
    accountId: 'PAY-USD',
    amount: money('10000.00', 'USD'),
    at: NOW,
  });
});
afterAll(async () => {
  await tables?.stop();
});

async function hold(holdId: string, releaseInDays: number, amount = '100.00', accountId = 'PAY-USD') {
  return ledger.hold({
    operationId: `pp-hold-${holdId}`,
    holdId,
    accountId,
    payee: 'V-1100',
    amount: money(amount, 'USD'),
    reason: `invoice ${holdId}`,
    releaseAt: new Date(NOW.getTime() + releaseInDays * DAY),
    expiresAt: new Date(NOW.getTime() + (releaseInDays + 30) * DAY),
    initiatedBy: { kind: 'person', id: 'avery.clerk' },
    source: { runbook: 'invoice-reconciliation', executionId: `run-${holdId}`, document: holdId },
    at: NOW,
  });
}

describe('escrow: the payment phase (DynamoDB Local)', () => {
  it('lists only HELD holds released by the day, oldest release first, and never a disputed one', async () => {
    // Prepare
    await hold('pp-due-2', -2);
    await hold('pp-due-5', -5);
    await hold('pp-later', 3);
    await hold('pp-disputed', -1);
    await ledger.dispute({ operationId: 'pp-dispute', holdId: 'pp-disputed', at: NOW });

    // Act
    const payable = await ledger.payableHolds('PAY-USD', NOW, 50);
    const limited = await ledger.payableHolds('PAY-USD', NOW, 1);

    // Assess
    expect(payable.map((h) => h.holdId)).toEqual(['pp-due-5', 'pp-due-2']);
    expect(payable[0]?.source).toEqual({
      runbook: 'invoice-reconciliation',
      executionId: 'run-pp-due-5',
      document: 'pp-due-5',
    });
    expect(limited.map((h) => h.holdId)).toEqual(['pp-due-5']);
  });

  it('keeps a hold in payment reserved, unlisted, unexpirable and undisputable; the bank answer posts or voids it', async () => {
    // Prepare
    await hold('pp-paid', -1, '250.00');
    await hold('pp-rejected', -1, '40.00');
    const before = (await ledger.getAccount('PAY-USD'))!;

    // Act
    const started = await ledger.startPayment({
      operationId: 'pp-start-1',
      holdId: 'pp-paid',
      paymentId: 'E2E-1',
      at: NOW,
    });
    const again = await ledger.startPayment({
      operationId: 'pp-start-1',
      holdId: 'pp-paid',
      paymentId: 'E2E-1',
      at: NOW,
    });
    await ledger.startPayment({
      operationId: 'pp-start-2',
      holdId: 'pp-rejected',
      paymentId: 'E2E-2',
      at: NOW,
    });
    const during = (await ledger.getAccount('PAY-USD'))!;
    const listed = await ledger.payableHolds('PAY-USD', NOW, 50);
    const longAfter = new Date(NOW.getTime() + 90 * DAY);
    const sweep = await ledger.dueForExpiry(longAfter, 100);
    const expire = await ledger
      .expire({ operationId: 'pp-expire', holdId: 'pp-paid', at: longAfter })
      .catch((e) => e);
    const dispute = await ledger
      .dispute({ operationId: 'pp-dispute-2', holdId: 'pp-paid', at: NOW })
      .catch((e) => e);
    const twice = await ledger
      .startPayment({ operationId: 'pp-start-3', holdId: 'pp-paid', paymentId: 'E2E-9', at: NOW })
      .catch((e) => e);
    const posted = await ledger.post({ operationId: 'pp-post', holdId: 'pp-paid', at: longAfter });
    const voided = await ledger.void({
      operationId: 'pp-void',
      holdId: 'pp-rejected',
      reason: 'AC04',
      at: NOW,
    });
    const after = (await ledger.getAccount('PAY-USD'))!;

    // Assess
    expect(started.hold).toMatchObject({ status: 'IN_PAYMENT', paymentId: 'E2E-1', closedAt: null });
    expect(again.replayed).toBe(true);
    expect(during.held.minor - before.held.minor).toBe(0n);
    expect(listed.map((h) => h.holdId)).not.toContain('pp-paid');
    expect(sweep).not.toContain('pp-paid');
    expect(sweep).not.toContain('pp-rejected');
    for (const refused of [expire, dispute, twice])
      expect((refused as TollgateError).code).toBe('HOLD_NOT_OPEN');
    expect(posted.hold).toMatchObject({ status: 'POSTED', paymentId: 'E2E-1' });
    expect(voided.hold).toMatchObject({ status: 'VOIDED', paymentId: 'E2E-2' });
    expect(after.posted.minor - before.posted.minor).toBe(25_000n);
    expect(after.held.minor - before.held.minor).toBe(-29_000n);
    expect(after.available.minor - before.available.minor).toBe(4_000n);
  });
});
