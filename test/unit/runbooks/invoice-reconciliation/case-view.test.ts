import { describe, expect, it } from 'vitest';
import { invoiceCaseView, REASON_TEXT } from '#runbooks/invoice-reconciliation/core/case-view.ts';
import { REASON_CODES } from '#runbooks/invoice-reconciliation/core/reason-codes.ts';

describe('invoiceCaseView', () => {
  it('keeps the agent proposal apart from the outcome a person decided', () => {
    // Act
    const waiting = invoiceCaseView({ decision: 'PENDING_APPROVAL', reasonCodes: ['NO_PO'] });
    const approved = invoiceCaseView({
      decision: 'PENDING_APPROVAL',
      reasonCodes: ['NO_PO'],
      finalStatus: 'APPROVED',
    });
    const deciding = invoiceCaseView({ invoice: { invoiceNumber: 'X' } });

    // Assess
    expect(waiting).toMatchObject({ proposedDecision: 'PENDING_APPROVAL', decision: 'PENDING_APPROVAL' });
    expect(approved).toMatchObject({
      proposedDecision: 'PENDING_APPROVAL',
      decision: 'APPROVED',
      finalStatus: 'APPROVED',
    });
    expect(deciding).toMatchObject({ proposedDecision: null, decision: null, reasons: [] });
  });

  it('shows what the bank did with the payment of an approved invoice', () => {
    // Act
    const bounced = invoiceCaseView({
      finalStatus: 'APPROVED',
      payment: { status: 'REJECTED', reason: 'AC04 Closed account number', paymentId: 'P0123456789ABCD' },
    });

    // Assess
    expect(bounced.payment).toEqual({
      status: 'REJECTED',
      reason: 'AC04 Closed account number',
      paymentId: 'P0123456789ABCD',
    });
    expect(invoiceCaseView({}).payment).toBeNull();
  });

  it("gives each code the failing rule's words, then the gate's, then the code's meaning", () => {
    // Act
    const view = invoiceCaseView({
      decision: 'PENDING_APPROVAL',
      reasonCodes: ['OVER_AUTHORITY', 'PRICE_VARIANCE', 'TAX_VARIANCE'],
      match: {
        results: [
          { code: 'PRICE_VARIANCE', passed: false, detail: 'Line 2: 12.50 against PO 11.00.' },
          { code: 'TAX_VARIANCE', passed: true, detail: 'Tax as agreed.' },
        ],
      },
      gate: {
        authorityCodes: ['NO_PACT_FOR_ACTION'],
        reasons: [{ code: 'NO_PACT_FOR_ACTION', detail: 'Agent x has no pact for ap.approve_invoice.' }],
      },
    });

    // Assess
    expect(view.reasons).toEqual([
      { code: 'OVER_AUTHORITY', text: REASON_TEXT.OVER_AUTHORITY },
      { code: 'PRICE_VARIANCE', text: 'Line 2: 12.50 against PO 11.00.' },
      { code: 'TAX_VARIANCE', text: REASON_TEXT.TAX_VARIANCE },
      { code: 'NO_PACT_FOR_ACTION', text: 'Agent x has no pact for ap.approve_invoice.' },
    ]);
  });

  it('has a sentence for every AP reason code', () => {
    expect(Object.keys(REASON_CODES).filter((code) => !REASON_TEXT[code])).toEqual([]);
  });
});
