import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TollgateError } from '#platform/core/errors.ts';
import { money } from '#platform/core/money.ts';
import { DynamoDbEscrowLedger } from '#platform/escrow/adapters/escrow-ledger-dynamodb.ts';
import { sweepExpiredHolds } from '#platform/escrow/core/expiry-sweep.ts';
import { type LocalTables, startLocalTables } from '../../../support/dynamodb-tables.ts';

let tables: LocalTables;
beforeAll(async () => {
  tables = await startLocalTables();
});
afterAll(async () => {
  await tables?.stop();
});

describe('escrow ledger under concurrency (DynamoDB Local)', () => {
  it('lets concurrent holds take only what the balance allows; every refused hold changes nothing', async () => {
    // Prepare: 1,050.00 funded, 40 clients each holding 100.00 at once
    const ledger = new DynamoDbEscrowLedger({ client: tables.client(), maxAttempts: 50 });
    await ledger.fund({ operationId: 'c-fund', accountId: 'CONC', amount: money('1050.00', 'USD') });
    const expiresAt = new Date(Date.now() + 3_600_000);

    // Act
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        ledger.hold({
          operationId: `c-op-${i}`,
          holdId: `c-hold-${i}`,
          accountId: 'CONC',
          payee: `vendor-${i}`,
          amount: money('100.00', 'USD'),
          reason: 'concurrency',
          expiresAt,
          initiatedBy: { kind: 'person', id: 'avery.clerk' },
        }),
      ),
    );

    // Assess
    const accepted = results.filter((r) => r.status === 'fulfilled');
    const refused = results.flatMap((r, i) => (r.status === 'rejected' ? [{ i, reason: r.reason }] : []));
    expect(accepted).toHaveLength(10);
    for (const { reason } of refused) expect((reason as TollgateError).code).toBe('INSUFFICIENT_FUNDS');
    const account = (await ledger.getAccount('CONC'))!;
    expect(account.held.minor).toBe(100_000n);
    expect(account.available.minor).toBe(5_000n);
    expect(account.openHolds).toBe(10);
    for (const { i } of refused) expect(await ledger.getHold(`c-hold-${i}`)).toBeUndefined();
    expect(await ledger.journal('CONC')).toHaveLength(11);
  });

  it('sweeps expired holds once, and leaves disputed ones frozen', async () => {
    // Prepare
    const ledger = new DynamoDbEscrowLedger({ client: tables.client() });
    const t0 = new Date('2031-01-01T00:00:00Z');
    await ledger.fund({ operationId: 'sw-fund', accountId: 'SWEEP', amount: money('100.00', 'USD'), at: t0 });
    for (const id of ['sw-1', 'sw-2']) {
      await ledger.hold({
        operationId: `op-${id}`,
        holdId: id,
        accountId: 'SWEEP',
        payee: 'vendor',
        amount: money('10.00', 'USD'),
        reason: 'sweep',
        expiresAt: new Date(t0.getTime() + 60_000),
        initiatedBy: { kind: 'person', id: 'casey.controller' },
        at: t0,
      });
    }
    await ledger.dispute({ operationId: 'dispute-sw-2', holdId: 'sw-2', at: t0 });
    const later = new Date(t0.getTime() + 120_000);

    // Act
    const first = await sweepExpiredHolds({ ledger, source: ledger }, later);
    const second = await sweepExpiredHolds({ ledger, source: ledger }, later);

    // Assess
    expect(first.expired).toContain('sw-1');
    expect([...first.expired, ...first.skipped]).not.toContain('sw-2');
    expect(second.expired).not.toContain('sw-1');
    expect((await ledger.getHold('sw-1'))!.status).toBe('EXPIRED');
    expect((await ledger.getHold('sw-2'))!.status).toBe('DISPUTED');
    expect((await ledger.getAccount('SWEEP'))!.held.minor).toBe(1_000n);
  });
});
