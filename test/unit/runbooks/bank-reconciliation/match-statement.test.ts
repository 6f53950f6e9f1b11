import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { money } from '#platform/core/money.ts';
import {
  type MatchPolicy,
  type OpenReceivable,
  type PostedPayment,
  type ReconciliationItem,
  reconcileStatement,
} from '#runbooks/bank-reconciliation/core/match-statement.ts';
import {
  type BankStatement,
  creditorReferenceFor,
  parseCamt053,
  type StatementEntry,
} from '#runbooks/bank-reconciliation/core/statement.ts';
import { PROJECT_ROOT } from '../../../../lib/project-root.ts';

const eur = (amount: string) => money(amount, 'EUR');
const policy: MatchPolicy = { dateWindowDays: 3, writeOffThreshold: [eur('5.00')] };

function debit(entryRef: string, amount: string, extra: Partial<StatementEntry> = {}): StatementEntry {
  return {
    entryRef,
    amount: eur(amount),
    direction: 'DEBIT',
    status: 'BOOKED',
    bookingDate: '2026-11-30',
    valueDate: null,
    endToEndId: null,
    counterparty: { name: null, iban: null },
    remittance: { unstructured: [], creditorReference: null },
    bankReference: null,
    reversal: false,
    ...extra,
  };
}

function credit(
  entryRef: string,
  amount: string,
  payer: string | null,
  extra: Partial<StatementEntry> = {},
): StatementEntry {
  return debit(entryRef, amount, {
    direction: 'CREDIT',
    counterparty: { name: payer, iban: null },
    ...extra,
  });
}

function statementOf(entries: StatementEntry[]): BankStatement {
  return {
    messageType: 'camt.053.001.08',
    messageId: 'M-1',
    statementId: 'S-1',
    account: { iban: 'DE89370400440532013000', other: null, currency: 'EUR' },
    createdAt: '2026-11-30T22:00:00Z',
    opening: null,
    closing: null,
    entries,
  };
}

function payment(paymentId: string, amount: string, extra: Partial<PostedPayment> = {}): PostedPayment {
  return {
    paymentId,
    endToEndId: `E2E-${paymentId}`,
    amount: eur(amount),
    payeeName: 'Nordwind Logistik GmbH',
    payeeIban: 'FR1420041010050500013M02606',
    executionDate: '2026-11-29',
    holdId: `H-${paymentId}`,
    invoiceRef: `INV-${paymentId}`,
    ...extra,
  };
}

function receivable(
  receivableId: string,
  invoiceNumber: string,
  open: string,
  extra: Partial<OpenReceivable> = {},
): OpenReceivable {
  return {
    receivableId,
    customerId: 'C-ALDER',
    customerName: 'Alder & Sons',
    invoiceNumber,
    creditorReference: null,
    open: eur(open),
    dueDate: '2026-11-15',
    ...extra,
  };
}

function only(items: ReconciliationItem[]): ReconciliationItem {
  expect(items).toHaveLength(1);
  return items[0]!;
}

const reconcile = (
  entries: StatementEntry[],
  payments: PostedPayment[] = [],
  receivables: OpenReceivable[] = [],
  alreadyMatched: Set<string> = new Set(),
) => reconcileStatement(statementOf(entries), payments, receivables, alreadyMatched, policy);

describe('reconcileStatement: debits', () => {
  it('matches a debit to its payment by end-to-end id', () => {
    // Prepare
    const paid = payment('P1', '1250.00');

    // Act
    const item = only(reconcile([debit('D1', '1250.00', { endToEndId: 'E2E-P1' })], [paid]).items);

    // Assess
    expect(item).toMatchObject({
      outcome: 'MATCHED',
      rule: 'END_TO_END_ID',
      match: { kind: 'PAYMENT', payment: paid },
    });
  });

  it('raises AMOUNT_MISMATCH when the end-to-end id is ours but the amount is not', () => {
    const item = only(
      reconcile([debit('D1', '1250.01', { endToEndId: 'E2E-P1' })], [payment('P1', '1250.00')]).items,
    );
    expect(item).toMatchObject({ outcome: 'EXCEPTION', code: 'AMOUNT_MISMATCH', rule: 'END_TO_END_ID' });
  });

  it('raises UNKNOWN_DEBIT for a stray debit nobody approved', () => {
    // Prepare
    const stray = debit('D9', '999.00', {
      counterparty: { name: 'Shell Co', iban: 'GB29NWBK60161331926819' },
    });

    // Act
    const result = reconcile([stray], [payment('P1', '1250.00')]);

    // Assess
    const item = only(result.items);
    expect(item).toMatchObject({ outcome: 'EXCEPTION', code: 'UNKNOWN_DEBIT', match: null });
    expect(item.sentence).toMatch(/nobody approved/);
    expect(result.unsettledPaymentIds).toEqual(['P1']);
    expect(result.totals[0]).toMatchObject({ exceptions: eur('999.00'), counts: { exceptions: 1 } });
  });

  it('matches by amount, date window and payee IBAN when the bank dropped the end-to-end id', () => {
    const entry = debit('D1', '80.00', {
      bookingDate: '2026-12-02',
      counterparty: { name: 'NORDWIND LOGISTIK', iban: 'fr14 2004 1010 0505 0001 3m02 606' },
    });
    const item = only(reconcile([entry], [payment('P1', '80.00')]).items);
    expect(item).toMatchObject({ outcome: 'MATCHED', rule: 'AMOUNT_DATE_COUNTERPARTY' });
  });

  it('does not match by amount outside the date window', () => {
    const entry = debit('D1', '80.00', {
      bookingDate: '2026-12-03',
      counterparty: { name: 'Nordwind Logistik GmbH', iban: null },
    });
    expect(only(reconcile([entry], [payment('P1', '80.00')]).items)).toMatchObject({ code: 'UNKNOWN_DEBIT' });
  });

  it('raises AMBIGUOUS_MATCH when two payments fit by amount, date and payee', () => {
    // Prepare
    const entry = debit('D1', '80.00', { counterparty: { name: 'Nordwind Logistik GmbH', iban: null } });

    // Act
    const item = only(reconcile([entry], [payment('P1', '80.00'), payment('P2', '80.00')]).items);

    // Assess
    expect(item).toMatchObject({ outcome: 'EXCEPTION', code: 'AMBIGUOUS_MATCH', match: null });
    expect(item.sentence).toContain('P1, P2');
  });

  it('raises DUPLICATE_DEBIT when one payment is debited twice', () => {
    const result = reconcile(
      [debit('D1', '100.00', { endToEndId: 'E2E-P1' }), debit('D2', '100.00', { endToEndId: 'E2E-P1' })],
      [payment('P1', '100.00')],
    );
    expect(
      result.items.map((item) => [item.outcome, item.outcome === 'EXCEPTION' ? item.code : null]),
    ).toEqual([
      ['MATCHED', null],
      ['EXCEPTION', 'DUPLICATE_DEBIT'],
    ]);
  });

  it('matches end-to-end ids first, so a look-alike earlier debit cannot take the payment', () => {
    // Prepare: D1 looks like P1 by amount and payee, D2 carries P1's end-to-end id
    const lookalike = debit('D1', '100.00', { counterparty: { name: 'Nordwind Logistik GmbH', iban: null } });
    const real = debit('D2', '100.00', { endToEndId: 'E2E-P1' });

    // Act
    const result = reconcile([lookalike, real], [payment('P1', '100.00')]);

    // Assess
    expect(result.items[1]).toMatchObject({ outcome: 'MATCHED', rule: 'END_TO_END_ID' });
    expect(result.items[0]).toMatchObject({ outcome: 'EXCEPTION', code: 'DUPLICATE_DEBIT' });
  });
});

describe('reconcileStatement: credits', () => {
  const rf = creditorReferenceFor('AR7731');

  it('clears a receivable by its RF creditor reference', () => {
    // Prepare
    const owed = receivable('R1', 'AR-7731', '480.00', { creditorReference: rf });
    const entry = credit('C1', '480.00', 'Alder & Sons', {
      remittance: { unstructured: [], creditorReference: rf },
    });

    // Act
    const result = reconcile([entry], [], [owed]);

    // Assess
    expect(only(result.items)).toMatchObject({
      outcome: 'MATCHED',
      rule: 'CREDITOR_REFERENCE',
      match: { receivable: owed },
    });
    expect(result.totals).toEqual([
      {
        currency: 'EUR',
        matchedDebits: eur('0.00'),
        matchedCredits: eur('480.00'),
        writeOffs: eur('0.00'),
        exceptions: eur('0.00'),
        counts: { matched: 1, writeOffs: 0, exceptions: 0, skipped: 0 },
      },
    ]);
  });

  it('clears a receivable by an invoice number in the remittance text, however it is spaced', () => {
    const owed = receivable('R1', 'AR-7731', '2000.00');
    const entry = credit('C1', '2000.00', 'ALDER & SONS', {
      remittance: { unstructured: ['Payment for invoice ar 7731, thank you'], creditorReference: null },
    });
    expect(only(reconcile([entry], [], [owed]).items)).toMatchObject({
      outcome: 'MATCHED',
      rule: 'INVOICE_NUMBER',
    });
  });

  it('never lets INV-1 match a remittance that says INV-10', () => {
    // Prepare
    const inv1 = receivable('R1', 'INV-1', '100.00');
    const inv10 = receivable('R10', 'INV-10', '100.00');
    const entry = credit('C1', '100.00', 'Alder & Sons', {
      remittance: { unstructured: ['INV-10'], creditorReference: null },
    });

    // Act
    const result = reconcile([entry], [], [inv1, inv10]);

    // Assess
    expect(only(result.items)).toMatchObject({ rule: 'INVOICE_NUMBER', match: { receivable: inv10 } });
  });

  it('does not find INV-1 inside INV-10 even when INV-1 is the only receivable', () => {
    const entry = credit('C1', '100.00', 'Somebody Else', {
      remittance: { unstructured: ['INV-10'], creditorReference: null },
    });
    expect(only(reconcile([entry], [], [receivable('R1', 'INV-1', '100.00')]).items)).toMatchObject({
      code: 'UNKNOWN_CREDIT',
    });
  });

  it('clears the payer’s one open receivable of exactly the amount when there is no reference', () => {
    const entry = credit('C1', '75.50', 'Alder & Sons');
    const result = reconcile(
      [entry],
      [],
      [receivable('R1', 'AR-1', '75.50'), receivable('R2', 'AR-2', '80.00')],
    );
    expect(only(result.items)).toMatchObject({ outcome: 'MATCHED', rule: 'AMOUNT_PAYER' });
  });

  it('proposes a WRITE_OFF for a short payment within the threshold', () => {
    // Prepare
    const owed = receivable('R1', 'AR-7731', '480.00', { creditorReference: rf });
    const entry = credit('C1', '476.00', 'Alder & Sons', {
      remittance: { unstructured: [], creditorReference: rf },
    });

    // Act
    const result = reconcile([entry], [], [owed]);

    // Assess
    expect(only(result.items)).toMatchObject({
      outcome: 'WRITE_OFF',
      writeOff: eur('4.00'),
      rule: 'CREDITOR_REFERENCE',
    });
    expect(result.totals[0]).toMatchObject({ matchedCredits: eur('476.00'), writeOffs: eur('4.00') });
  });

  it('leaves a short payment over the threshold to a person', () => {
    const owed = receivable('R1', 'AR-7731', '480.00', { creditorReference: rf });
    const entry = credit('C1', '474.99', 'Alder & Sons', {
      remittance: { unstructured: [], creditorReference: rf },
    });
    expect(only(reconcile([entry], [], [owed]).items)).toMatchObject({
      outcome: 'EXCEPTION',
      code: 'SHORT_PAYMENT_OVER_THRESHOLD',
      match: { receivable: owed },
    });
  });

  it('raises OVERPAYMENT, including for a second payment of an invoice already cleared in the same run', () => {
    // Prepare
    const owed = receivable('R1', 'AR-7731', '480.00', { creditorReference: rf });
    const first = credit('C1', '480.00', 'Alder & Sons', {
      remittance: { unstructured: [], creditorReference: rf },
    });
    const again = credit('C2', '480.00', 'Alder & Sons', {
      remittance: { unstructured: [], creditorReference: rf },
    });
    const over = credit('C3', '500.00', 'Alder & Sons', {
      remittance: { unstructured: ['AR-9'], creditorReference: null },
    });

    // Act
    const result = reconcile([first, again, over], [], [owed, receivable('R9', 'AR-9', '480.00')]);

    // Assess
    expect(result.items.map((item) => (item.outcome === 'EXCEPTION' ? item.code : item.outcome))).toEqual([
      'MATCHED',
      'OVERPAYMENT',
      'OVERPAYMENT',
    ]);
  });

  it('raises UNKNOWN_CREDIT for money nobody owed', () => {
    const item = only(
      reconcile([credit('C1', '12.00', 'Stranger Ltd')], [], [receivable('R1', 'AR-1', '12.00')]).items,
    );
    expect(item).toMatchObject({ outcome: 'EXCEPTION', code: 'UNKNOWN_CREDIT' });
  });

  it('raises PAYER_MISMATCH when a stranger names another customer’s invoice, rather than clearing it', () => {
    // Prepare: the attacker's transfer names Alder's invoice, for a different amount
    const victim = receivable('R1', 'AR-7731', '2000.00');
    const attack = credit('C1', '1.00', 'Mallory Trading', {
      remittance: { unstructured: ['Settlement of AR-7731 in full, Alder & Sons'], creditorReference: null },
    });

    // Act
    const result = reconcile([attack], [], [victim]);

    // Assess
    const item = only(result.items);
    expect(item).toMatchObject({ outcome: 'EXCEPTION', code: 'PAYER_MISMATCH', rule: 'INVOICE_NUMBER' });
    expect(item.sentence).toMatch(/Mallory Trading/);
    expect(result.totals[0]).toMatchObject({ matchedCredits: eur('0.00'), writeOffs: eur('0.00') });
  });

  it('raises PAYER_MISMATCH for a valid RF reference paid by someone else', () => {
    const owed = receivable('R1', 'AR-7731', '480.00', { creditorReference: rf });
    const entry = credit('C1', '480.00', 'Mallory Trading', {
      remittance: { unstructured: [], creditorReference: rf },
    });
    expect(only(reconcile([entry], [], [owed]).items)).toMatchObject({
      code: 'PAYER_MISMATCH',
      rule: 'CREDITOR_REFERENCE',
    });
  });
});

describe('reconcileStatement: the whole statement', () => {
  const handBuilt = parseCamt053(
    readFileSync(join(PROJECT_ROOT, 'test', 'support', 'bank-statements', 'camt053-hand-built.xml'), 'utf8'),
  );
  const payments = [
    payment('P1', '1250.00', { endToEndId: 'TG-PAY-0001' }),
    payment('P2', '100.00', { endToEndId: 'TG-PAY-0002', payeeName: 'Papierhaus Weber', payeeIban: null }),
    payment('P3', '200.00', { endToEndId: 'TG-PAY-0003', payeeName: 'Kantine Sued', payeeIban: null }),
  ];
  const receivables = [
    receivable('R1', 'KR-2026-11', '480.00', {
      customerId: 'C-KESTREL',
      customerName: 'Kestrel Retail Ltd',
      creditorReference: 'RF18539007547034',
    }),
    receivable('R2', 'AR-7731', '2000.00'),
  ];

  it('matches every booked entry of the hand-built statement and skips the pending one', () => {
    // Act
    const result = reconcileStatement(handBuilt, payments, receivables, new Set(), policy);

    // Assess
    expect(result.items.map((item) => [item.entry.entryRef, item.outcome, item.rule])).toEqual([
      ['NTRY-0001', 'MATCHED', 'END_TO_END_ID'],
      ['NTRY-0002', 'MATCHED', 'CREDITOR_REFERENCE'],
      ['BANKREF-0003', 'MATCHED', 'INVOICE_NUMBER'],
      ['NTRY-0004/1', 'MATCHED', 'END_TO_END_ID'],
      ['NTRY-0004/2', 'MATCHED', 'END_TO_END_ID'],
      ['NTRY-0005', 'SKIPPED', null],
    ]);
    expect(result.items[5]).toMatchObject({ reason: 'NOT_BOOKED' });
    expect(result.totals).toEqual([
      {
        currency: 'EUR',
        matchedDebits: eur('1550.00'),
        matchedCredits: eur('2480.00'),
        writeOffs: eur('0.00'),
        exceptions: eur('0.00'),
        counts: { matched: 5, writeOffs: 0, exceptions: 0, skipped: 1 },
      },
    ]);
    expect(result.unsettledPaymentIds).toEqual([]);
  });

  it('skips entries matched on an earlier run, so a re-run changes nothing', () => {
    // Prepare: the first run matched everything; the books no longer list what it settled
    const first = reconcileStatement(handBuilt, payments, receivables, new Set(), policy);
    const matched = new Set(
      first.items.filter((item) => item.outcome === 'MATCHED').map((item) => item.entry.entryRef),
    );

    // Act
    const rerun = reconcileStatement(handBuilt, [], [], matched, policy);

    // Assess
    expect(rerun.items.map((item) => (item.outcome === 'SKIPPED' ? item.reason : item.outcome))).toEqual([
      'ALREADY_MATCHED',
      'ALREADY_MATCHED',
      'ALREADY_MATCHED',
      'ALREADY_MATCHED',
      'ALREADY_MATCHED',
      'NOT_BOOKED',
    ]);
    expect(rerun.totals[0]?.counts).toEqual({ matched: 0, writeOffs: 0, exceptions: 0, skipped: 6 });
  });

  it('gives the same result for the same input, and skips reversals', () => {
    const reversal = debit('REV-1', '1250.00', {
      direction: 'CREDIT',
      reversal: true,
      endToEndId: 'TG-PAY-0001',
    });
    const statement = { ...handBuilt, entries: [...handBuilt.entries, reversal] };
    const once = reconcileStatement(statement, payments, receivables, new Set(), policy);
    const twice = reconcileStatement(statement, payments, receivables, new Set(), policy);
    expect(twice).toEqual(once);
    expect(once.items.at(-1)).toMatchObject({ outcome: 'SKIPPED', reason: 'REVERSAL' });
  });

  it('refuses a policy outside its bounds', () => {
    expect(() =>
      reconcileStatement(handBuilt, payments, receivables, new Set(), { ...policy, dateWindowDays: 400 }),
    ).toThrow(/date window/);
    expect(() =>
      reconcileStatement(handBuilt, payments, receivables, new Set(), {
        ...policy,
        writeOffThreshold: [eur('1.00'), eur('2.00')],
      }),
    ).toThrow(/one per currency/);
  });
});
