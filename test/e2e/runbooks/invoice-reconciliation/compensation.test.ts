import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { TransientStoreError } from '#platform/core/errors.ts';
import { formatMoney, subtract } from '#platform/core/money.ts';
import { DynamoDbEscrowLedger } from '#platform/escrow/adapters/escrow-ledger-dynamodb.ts';
import type { HoldRequest } from '#platform/escrow/core/escrow-ledger.ts';
import { DynamoDbEvidenceChain } from '#platform/evidence/adapters/evidence-chain-dynamodb.ts';
import { normaliseDocumentNumber } from '#platform/system-of-record/core/reference-data.ts';
import { LocalModelProvider } from '#runbooks/invoice-reconciliation/adapters/local-model.ts';
import { ModelOutputError } from '#runbooks/invoice-reconciliation/core/model-provider.ts';
import { EXPLANATION_UNAVAILABLE } from '#runbooks/invoice-reconciliation/handlers/explain.ts';
import { seed } from '../../../../bin/commands/seed.ts';
import { erp, structuredInvoice, submitInvoice, vendorOfPo } from '../../../support/ap-invoices.ts';
import { type Harness, startHarness } from '../../../support/local-stack-harness.ts';

// Money and claims when a run fails after its hold, over HTTP on the local stack. The harness
// runs every Task handler in this process, so faults are injected at the boundaries the handlers
// call — the model provider and the escrow ledger — and each test checks its spy was reached.
const FUNDING_ACCOUNT = 'AP-USD-OPERATING';

let harness: Harness;
const ledger = new DynamoDbEscrowLedger();
const evidence = new DynamoDbEvidenceChain();

beforeAll(async () => {
  harness = await startHarness();
  await seed(erp);
});
afterAll(async () => {
  await harness?.stop();
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** Submits as an AP clerk and waits for the run to stop or to wait for a person. */
function submit(key: string, invoice: ReturnType<typeof structuredInvoice>): Promise<any> {
  return submitInvoice(harness, key, { structured: invoice });
}

/** The escrow invariant on the funding account: available = funded − posted − held ≥ 0. */
async function expectLedgerInvariants() {
  const account = await ledger.getAccount(FUNDING_ACCOUNT);
  if (!account) throw new Error(`No escrow account ${FUNDING_ACCOUNT}.`);
  expect(formatMoney(account.available)).toBe(
    formatMoney(subtract(subtract(account.funded, account.posted), account.held)),
  );
  expect(account.available.minor >= 0n).toBe(true);
  return account;
}

describe('an explanation that fails never fails a decision in force', () => {
  it('ends SUCCEEDED with the hold HELD and the account from the facts when Explain fails after an auto-approval', async () => {
    // Prepare: the model cannot explain (a non-retried model error)
    const spy = vi
      .spyOn(LocalModelProvider.prototype, 'explainDecision')
      .mockRejectedValue(new ModelOutputError('INVALID_TOOL_INPUT', 'no explanation', '{}'));
    const invoice = structuredInvoice('PO-4501005', 'CMP-EXP-001', [
      { lineNo: 1, sku: 'SKU-62242', quantity: '5' },
    ]);

    // Act
    const run = await submit('cmp-explain-fails', invoice);

    // Assess
    expect(spy).toHaveBeenCalled();
    expect(run.status, JSON.stringify(run.failure)).toBe('SUCCEEDED');
    expect(run.proposedDecision).toBe('AUTO_APPROVED');
    expect(run.finalStatus).toBe('APPROVED');
    expect(run.hold).toMatchObject({ status: 'HELD', amount: invoice.total });
    expect((await ledger.getHold(run.hold.holdId))?.status).toBe('HELD');
    expect(run.explanation).toContain(EXPLANATION_UNAVAILABLE);
    expect(run.explanation).toContain(run.hold.holdId);
    const fallback = await evidence.findEvent(run.executionId, 'Explain/from_facts');
    expect(fallback?.record.details).toMatchObject({
      action: 'explanation_from_facts',
      explanation: 'unavailable',
    });
    expect(String(fallback?.record.details.modelFailure)).toContain('no explanation');
    expect(await evidence.findEvent(run.executionId, 'Explain/model_call')).toBeUndefined();
  });
});

describe('money and claims stay together when a run fails after its hold', () => {
  it('keeps the hold and the claims when HoldPayment fails after the ledger held the money', async () => {
    // Prepare: the ledger holds the money, then the step fails before the case records the hold
    const hold = DynamoDbEscrowLedger.prototype.hold;
    const spy = vi.spyOn(DynamoDbEscrowLedger.prototype, 'hold').mockImplementationOnce(async function (
      this: DynamoDbEscrowLedger,
      request: HoldRequest,
    ) {
      await hold.call(this, request);
      throw new Error('injected: the step failed after the hold was written');
    });
    const invoice = structuredInvoice('PO-4501006', 'CMP-FAIL-002', [
      { lineNo: 1, sku: 'SKU-96390', quantity: '20' },
    ]);
    const holdId = `AP-${vendorOfPo(invoice.poNumber).vendorId}-${normaliseDocumentNumber(invoice.invoiceNumber)}`;

    // Act
    const run = await submit('cmp-fail-after-hold', invoice);
    const resubmitted = await submit('cmp-fail-after-hold-again', invoice);
    const sameGoods = await submit(
      'cmp-fail-after-hold-same-goods',
      structuredInvoice('PO-4501006', 'CMP-FAIL-003', [{ lineNo: 1, sku: 'SKU-96390', quantity: '280' }]),
    );

    // Assess: the run failed, the hold it made is kept and its claims with it
    expect(spy).toHaveBeenCalledTimes(1);
    expect(run.status).toBe('FAILED');
    expect(run.proposedDecision).toBe('AUTO_APPROVED');
    expect(run.hold).toBeNull();
    expect(run.failure).toMatchObject({ compensation: 'kept_hold_and_claims' });
    const recorded = await evidence.findEvent(run.executionId, 'RecordFailure/action');
    expect(recorded?.record.details).toMatchObject({
      compensation: 'kept_hold_and_claims',
      holdId,
      holdStatus: 'HELD',
    });
    const held = await ledger.getHold(holdId);
    expect(held?.status).toBe('HELD');
    expect(formatMoney(held!.amount)).toBe(invoice.total);
    const account = await expectLedgerInvariants();
    expect(account.openHolds).toBeGreaterThanOrEqual(1);
    // Nothing else was held for the same invoice or the same goods (20 of 299 claimed; 280 more is over)
    expect(resubmitted.proposedDecision).toBe('REJECTED');
    expect(resubmitted.reasonCodes).toContain('DUPLICATE_INVOICE');
    expect(resubmitted.hold).toBeNull();
    expect(sameGoods.proposedDecision).toBe('PENDING_APPROVAL');
    expect(sameGoods.reasonCodes).toContain('QUANTITY_VARIANCE');
    expect(sameGoods.hold).toBeNull();
    expect(formatMoney((await ledger.getAccount(FUNDING_ACCOUNT))!.held)).toBe(formatMoney(account.held));
  });
});

describe('HoldPayment is idempotent for an undated invoice', () => {
  it('holds once with the same dates when HoldPayment runs twice for an invoice without a due date', async () => {
    // Prepare: the first attempt holds, then meets a transient store error, so the runbook retries it
    const hold = DynamoDbEscrowLedger.prototype.hold;
    const spy = vi.spyOn(DynamoDbEscrowLedger.prototype, 'hold').mockImplementationOnce(async function (
      this: DynamoDbEscrowLedger,
      request: HoldRequest,
    ) {
      await hold.call(this, request);
      throw new TransientStoreError('injected: conflict after the hold was written');
    });
    const invoice = {
      ...structuredInvoice('PO-4501015', 'CMP-UNDATED-004', [
        { lineNo: 1, sku: 'SKU-75857', quantity: '10' },
      ]),
      dueDate: null,
    };

    // Act
    const run = await submit('cmp-undated-retry', invoice);

    // Assess
    expect(spy).toHaveBeenCalledTimes(2);
    const [first, second] = spy.mock.calls.map(([request]) => request);
    expect(second?.operationId).toBe(first?.operationId);
    expect(second?.releaseAt?.toISOString()).toBe(first?.releaseAt?.toISOString());
    expect(second?.expiresAt.toISOString()).toBe(first?.expiresAt.toISOString());
    const replay = await spy.mock.results[1]?.value;
    expect(replay).toMatchObject({ replayed: true });
    expect(run.status, JSON.stringify(run.failure)).toBe('SUCCEEDED');
    expect(run.hold).toMatchObject({ status: 'HELD', amount: invoice.total });
    expect(run.hold.releaseAt).toBe(first?.releaseAt?.toISOString());
    await expectLedgerInvariants();
  });
});
