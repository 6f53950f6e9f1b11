import { describe, expect, it } from 'vitest';
import { money } from '#platform/core/money.ts';
import { RECONCILIATION_POLICY } from '#runbooks/bank-reconciliation/adapters/reconciliation-policy.ts';
import {
  fundingAccountOf,
  matchPolicyOf,
  reconciliationPolicySchema,
} from '#runbooks/bank-reconciliation/core/reconciliation-policy.ts';
import type { BankStatement } from '#runbooks/bank-reconciliation/core/statement.ts';
import { bankReconciliationRequestSchema } from '#runbooks/bank-reconciliation/module.ts';

const statementFor = (account: BankStatement['account']): BankStatement => ({
  messageType: 'camt.053.001.08',
  messageId: 'M-1',
  statementId: 'S-1',
  account,
  createdAt: '2026-12-01T18:00:00Z',
  opening: null,
  closing: null,
  entries: [],
});

describe('bank-reconciliation policy', () => {
  it('ships a policy naming the agent, the window and a threshold per currency', () => {
    expect(RECONCILIATION_POLICY.agentId).toBe('bank-reconciliation-agent');
    expect(matchPolicyOf(RECONCILIATION_POLICY).writeOffThreshold).toContainEqual(money('100.00', 'USD'));
  });

  it('finds the funding account by IBAN or account number, and only in its currency', () => {
    expect(
      fundingAccountOf(
        RECONCILIATION_POLICY,
        statementFor({ iban: 'DE89 3704 0044 0532 0130 00', other: null, currency: 'EUR' }),
      ),
    ).toBe('AP-EUR-OPERATING');
    expect(
      fundingAccountOf(
        RECONCILIATION_POLICY,
        statementFor({ iban: null, other: '000123456789', currency: 'USD' }),
      ),
    ).toBe('AP-USD-OPERATING');
    expect(
      fundingAccountOf(
        RECONCILIATION_POLICY,
        statementFor({ iban: null, other: '000123456789', currency: 'EUR' }),
      ),
    ).toBeUndefined();
    expect(
      fundingAccountOf(RECONCILIATION_POLICY, statementFor({ iban: null, other: '999', currency: 'USD' })),
    ).toBeUndefined();
  });

  it('refuses a policy with a negative threshold or a window over 31 days', () => {
    const base = { ...RECONCILIATION_POLICY };
    expect(
      reconciliationPolicySchema.safeParse({ ...base, writeOffThreshold: { USD: '-1.00' } }).success,
    ).toBe(false);
    expect(reconciliationPolicySchema.safeParse({ ...base, dateWindowDays: 32 }).success).toBe(false);
  });

  it('takes only a statement key under inbound/', () => {
    expect(
      bankReconciliationRequestSchema.safeParse({ statementKey: 'inbound/2026-12-01/S.xml' }).success,
    ).toBe(true);
    expect(bankReconciliationRequestSchema.safeParse({ statementKey: 'outbound/x.xml' }).success).toBe(false);
    expect(
      bankReconciliationRequestSchema.safeParse({ statementKey: 'inbound/a.xml', agentId: 'me' }).success,
    ).toBe(false);
  });
});
