import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbEvidenceChain } from '#platform/evidence/adapters/evidence-chain-dynamodb.ts';
import { getException, openException } from '#platform/exceptions/adapters/exceptions-dynamodb.ts';
import { type Harness, startHarness } from '../../../support/local-stack-harness.ts';

// Exceptions over HTTP on the local stack: each person sees what they may resolve, resolves it
// once, and the resolution is evidence under the run that found the problem.
let harness: Harness;
const evidence = new DynamoDbEvidenceChain();

beforeAll(async () => {
  harness = await startHarness();
  await openException({
    exceptionId: 'payment-rejected:PTEST0000000001',
    kind: 'PAYMENT_REJECTED',
    runbook: 'payment-run',
    executionId: 'run-exc-1',
    summary: 'The bank rejected payment PTEST0000000001 (AC04 closed account).',
    requiredRole: 'ap_clerk',
    amount: '4187.11',
    currency: 'USD',
    refs: { paymentId: 'PTEST0000000001' },
    openedAt: '2026-12-01T10:00:00.000Z',
  });
  await openException({
    exceptionId: 'bank-statement:ACCT#E1',
    kind: 'UNMATCHED_DEBIT',
    runbook: 'bank-reconciliation',
    executionId: 'run-exc-2',
    summary: 'A debit of 125.00 USD matches no payment Tollgate sent.',
    requiredRole: 'controller',
    amount: '125.00',
    currency: 'USD',
    openedAt: '2026-12-01T11:00:00.000Z',
  });
});
afterAll(async () => {
  await harness?.stop();
});

describe('exceptions for a person', () => {
  it('lists to each person what they may resolve; auditors see all and resolve nothing', async () => {
    const clerk = await harness.api('GET', '/exceptions', { user: 'avery.clerk' });
    const controller = await harness.api('GET', '/exceptions', { user: 'casey.controller' });
    const auditor = await harness.api('GET', '/exceptions', { user: 'finley.auditor' });
    const fpa = await harness.api('GET', '/exceptions', { user: 'emery.fpa' });
    const filtered = await harness.api('GET', '/exceptions?kind=UNMATCHED_DEBIT', {
      user: 'casey.controller',
    });

    expect(clerk.body.exceptions.map((e: any) => e.kind)).toEqual(['PAYMENT_REJECTED']);
    expect(controller.body.byKind).toEqual({ PAYMENT_REJECTED: 1, UNMATCHED_DEBIT: 1 });
    expect(auditor.body.exceptions.map((e: any) => [e.kind, e.mayResolve])).toEqual([
      ['PAYMENT_REJECTED', false],
      ['UNMATCHED_DEBIT', false],
    ]);
    expect(fpa.status).toBe(403);
    expect(filtered.body.exceptions.map((e: any) => e.exceptionId)).toEqual(['bank-statement:ACCT#E1']);
    const bad = await harness.api('GET', '/exceptions?kind=drop%20table', { user: 'casey.controller' });
    expect(bad.status).toBe(400);
  });

  it("refuses a clerk resolving a controller's exception, an empty resolution and an unknown id, writing nothing", async () => {
    const path = `/exceptions/${encodeURIComponent('bank-statement:ACCT#E1')}/resolution`;
    const clerk = await harness.api('POST', path, {
      user: 'blake.clerk',
      body: { resolution: 'Looks fine to me.' },
    });
    const empty = await harness.api('POST', path, { user: 'casey.controller', body: { resolution: '' } });
    const extra = await harness.api('POST', path, {
      user: 'casey.controller',
      body: { resolution: 'Fine.', status: 'RESOLVED' },
    });
    const unknown = await harness.api('POST', '/exceptions/nope/resolution', {
      user: 'casey.controller',
      body: { resolution: 'Nothing to see.' },
    });

    expect(clerk.status).toBe(403);
    expect(empty.status).toBe(400);
    expect(extra.status).toBe(400);
    expect(unknown.status).toBe(404);
    expect((await getException('bank-statement:ACCT#E1'))?.status).toBe('OPEN');
    expect(
      await evidence.findEvent('run-exc-2', 'Exception/bank-statement:ACCT#E1/resolved'),
    ).toBeUndefined();
  });

  it('resolves once, with evidence under the run that found it; a double-click gets 409', async () => {
    const path = `/exceptions/${encodeURIComponent('bank-statement:ACCT#E1')}/resolution`;
    const resolution = 'Bank fee for the wire; booked to 6810 and confirmed with the bank.';
    const first = await harness.api('POST', path, { user: 'casey.controller', body: { resolution } });
    const again = await harness.api('POST', path, { user: 'dana.controller', body: { resolution } });

    expect(first.status).toBe(200);
    expect(again.status).toBe(409);
    expect(await getException('bank-statement:ACCT#E1')).toMatchObject({
      status: 'RESOLVED',
      resolvedBy: 'casey.controller',
      resolution,
    });
    const record = await evidence.findEvent('run-exc-2', 'Exception/bank-statement:ACCT#E1/resolved');
    expect(record?.record).toMatchObject({
      runbook: 'bank-reconciliation',
      actor: { kind: 'person', id: 'casey.controller', role: 'controller' },
    });
    const open = await harness.api('GET', '/exceptions', { user: 'casey.controller' });
    expect(open.body.byKind).toEqual({ PAYMENT_REJECTED: 1 });
  });
});
