import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_AGENT_ACTIONS,
  isValidRfReference,
  parseErpSnapshot,
} from '#platform/system-of-record/core/reference-data.ts';
import { creditorReferenceFor } from '#runbooks/bank-reconciliation/core/statement.ts';
import { PROJECT_ROOT } from '../../../../lib/project-root.ts';
import { inMemorySystemOfRecord } from '../../../support/in-memory-system-of-record.ts';

const read = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
const TREASURY = join(PROJECT_ROOT, 'local', 'seed', 'treasury.json');
const ERP = join(PROJECT_ROOT, '..', 'shared', 'samples', 'ap-invoices', 'erp.json');
const policy = read(ERP).policy;

describe('treasury supplement snapshot', () => {
  it('loads with its agents, EUR funding account, customers and open receivables', () => {
    // Act
    const snapshot = parseErpSnapshot(read(TREASURY));

    // Assess
    expect(snapshot.agents.map((a) => [a.agentId, a.actions, a.currency])).toEqual([
      ['payment-run-agent', ['payment.release'], 'USD'],
      ['bank-reconciliation-agent', ['receivable.write_off'], 'USD'],
      ['support-refund-agent', ['refund.issue', 'payment.hold'], 'USD'],
      ['marketplace-payout-agent', ['payout.issue', 'payment.hold'], 'USD'],
    ]);
    expect(snapshot.fundingAccounts).toEqual([
      { accountId: 'AP-EUR-OPERATING', currency: 'EUR', balance: '1000000.00' },
    ]);
    expect(snapshot.customers.length).toBeGreaterThanOrEqual(3);
    expect(snapshot.openReceivables.length).toBeGreaterThanOrEqual(6);
    for (const receivable of snapshot.openReceivables)
      expect(isValidRfReference(receivable.creditorReference ?? '')).toBe(true);
    expect(snapshot.purchaseOrders).toEqual([]);
    // Every order belongs to a customer of the snapshot, every contract to a partner.
    const customers = new Set(snapshot.customers.map((c) => c.customerId));
    const partners = new Set(snapshot.partners.map((p) => p.partnerId));
    for (const order of snapshot.orders) expect(customers.has(order.customerId)).toBe(true);
    for (const contract of snapshot.payoutContracts) expect(partners.has(contract.partnerId)).toBe(true);
  });

  it('keeps the AP policy of the shared sample set, so loading it beside erp.json changes no AP decision', () => {
    expect(parseErpSnapshot(read(TREASURY)).policy).toEqual(parseErpSnapshot(read(ERP)).policy);
  });

  it('gives agents that declare no actions the AP pacts, as before', () => {
    const snapshot = parseErpSnapshot(read(ERP));
    expect(snapshot.agents[0]?.actions).toEqual([...DEFAULT_AGENT_ACTIONS]);
    expect(snapshot.customers).toEqual([]);
    expect(snapshot.openReceivables).toEqual([]);
  });

  it('loads a supplement with nothing but its policy', () => {
    expect(parseErpSnapshot({ policy }).vendors).toEqual([]);
  });
});

describe('seed checks for receivables and agent actions', () => {
  const customer = { customerId: 'C-1', name: 'Harbor Logistics Inc', currency: 'USD' };
  const receivable = {
    receivableId: 'R-1',
    invoiceNumber: 'AR-1',
    customerId: 'C-1',
    amount: '100.00',
    currency: 'USD',
    dueDate: '2026-12-31',
    creditorReference: creditorReferenceFor('AR1'),
  };

  it('refuses a creditor reference with wrong check digits, naming the record', () => {
    const broken = {
      policy,
      customers: [customer],
      openReceivables: [{ ...receivable, creditorReference: 'RF00AR1' }],
    };
    expect(() => parseErpSnapshot(broken)).toThrow(/openReceivables\[0\] \(R-1\)\.creditorReference/);
  });

  it('refuses a receivable of an unknown customer, a duplicate id, and a zero amount', () => {
    expect(() => parseErpSnapshot({ policy, openReceivables: [receivable] })).toThrow(/no customer C-1/);
    expect(() =>
      parseErpSnapshot({ policy, customers: [customer], openReceivables: [receivable, receivable] }),
    ).toThrow(/R-1.*appears twice/);
    expect(() =>
      parseErpSnapshot({
        policy,
        customers: [customer],
        openReceivables: [{ ...receivable, amount: '0.00' }],
      }),
    ).toThrow(/amount/);
  });

  it('refuses an agent action twice or not shaped like object.verb', () => {
    const agent = {
      agentId: 'some-agent',
      displayName: 'Some agent',
      autoApproveLimit: '1.00',
      dailyLimit: '2.00',
      currency: 'USD',
    };
    expect(() => parseErpSnapshot({ policy, agents: [{ ...agent, actions: ['a.b', 'a.b'] }] })).toThrow(
      /each action once/,
    );
    expect(() => parseErpSnapshot({ policy, agents: [{ ...agent, actions: ['Write Off'] }] })).toThrow(
      /agents\[0\] \(some-agent\)\.actions/,
    );
  });

  it('checks RF references as ISO 11649 does', () => {
    expect(isValidRfReference('RF18 5390 0754 7034')).toBe(true);
    expect(isValidRfReference('RF18539007547035')).toBe(false);
    expect(isValidRfReference('RF01AR1')).toBe(false);
    expect(isValidRfReference(creditorReferenceFor('AR20260101'))).toBe(true);
  });

  it('settles a receivable once: the same settlement again is a replay, another is refused', async () => {
    // Prepare
    const sor = inMemorySystemOfRecord(
      parseErpSnapshot({ policy, customers: [customer], openReceivables: [receivable] }),
    );
    const settlement = {
      settlementId: 'ACC#E-1',
      status: 'WRITTEN_OFF' as const,
      paid: '95.00',
      writtenOff: '5.00',
      by: 'bank-reconciliation-agent',
      executionId: 'exec-1',
      at: '2026-12-01T00:00:00Z',
    };
    const target = { receivableId: 'R-1', currency: 'USD' };

    // Act
    const outcomes = [
      await sor.settleReceivable(target, settlement),
      await sor.settleReceivable(target, settlement),
      await sor.settleReceivable(target, { ...settlement, settlementId: 'ACC#E-2' }),
    ];

    // Assess
    expect(outcomes).toEqual(['settled', 'already', 'not_open']);
    expect(await sor.listOpenReceivables('USD')).toEqual([]);
  });
});
