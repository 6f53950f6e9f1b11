import { describe, expect, it } from 'vitest';
import { money } from '#platform/core/money.ts';
import {
  disputeIdFor,
  disputeOperations,
  newDispute,
  resolutionRefusal,
  resolutionSeconds,
} from '#platform/disputes/core/disputes.ts';
import type { HoldView } from '#platform/escrow/core/escrow-ledger.ts';

const hold: HoldView = {
  holdId: 'H-1',
  accountId: 'AP-USD',
  payee: 'V-1100',
  amount: money('1234.50', 'USD'),
  postedAmount: money('0', 'USD'),
  status: 'HELD',
  reason: 'invoice INV-1',
  expiresAt: '2026-12-31T00:00:00.000Z',
  releaseAt: null,
  initiatedBy: { kind: 'agent', id: 'invoice-review-agent' },
  agentId: 'invoice-review-agent',
  createdAt: '2026-12-01T00:00:00.000Z',
  closedAt: null,
  disputedAt: null,
  source: { runbook: 'invoice-reconciliation', executionId: 'run-1', document: 'INV-1' },
  paymentId: null,
};

describe('dispute rules', () => {
  it('derives one dispute id per hold, so a retry or a second filer finds the same dispute', () => {
    // Act
    const first = disputeIdFor('H-1');

    // Assess
    expect(disputeIdFor('H-1')).toBe(first);
    expect(disputeIdFor('H-2')).not.toBe(first);
    expect(first).toMatch(/^DSP-[0-9a-f]{20}$/);
    expect(disputeOperations.file(first)).not.toBe(disputeOperations.resolve(first));
  });

  it('files the hold as the ledger holds it: exact amount, currency, agent and run', () => {
    // Act
    const dispute = newDispute(hold, {
      filedBy: 'casey.controller',
      filedRole: 'controller',
      reason: 'paid twice',
      at: new Date('2026-12-02T10:00:00.000Z'),
    });

    // Assess
    expect(dispute).toMatchObject({
      holdId: 'H-1',
      status: 'OPEN',
      amount: '1234.50',
      currency: 'USD',
      agentId: 'invoice-review-agent',
      runbook: 'invoice-reconciliation',
      executionId: 'run-1',
      filedAt: '2026-12-02T10:00:00.000Z',
    });
  });

  it('refuses the filer as resolver, and measures resolution time from filing', () => {
    // Prepare
    const dispute = newDispute(hold, {
      filedBy: 'casey.controller',
      filedRole: 'controller',
      reason: 'paid twice',
      at: new Date('2026-12-02T10:00:00.000Z'),
    });

    // Act
    const byFiler = resolutionRefusal(dispute, 'casey.controller');
    const byOther = resolutionRefusal(dispute, 'dana.controller');

    // Assess
    expect(byFiler).toMatch(/different person/);
    expect(byOther).toBeUndefined();
    expect(resolutionSeconds(dispute, new Date('2026-12-02T11:30:00.000Z'))).toBe(5400);
    expect(resolutionSeconds(dispute, new Date('2026-12-02T09:00:00.000Z'))).toBe(0);
  });
});
