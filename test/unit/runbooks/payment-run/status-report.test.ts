import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { money } from '#platform/core/money.ts';
import type { HoldView } from '#platform/escrow/core/escrow-ledger.ts';
import { PAIN002_NAMESPACE } from '#runbooks/payment-run/core/bank-files/pain002.ts';
import {
  classifyBankFile,
  endToEndIds,
  type PaymentOnRecord,
  planStatusReport,
  type StatusReportPlan,
  type StatusReportRefusal,
} from '#runbooks/payment-run/core/status-report.ts';

const RUN = 'run-1';
const MESSAGE = 'TGMSG1';
const messageIdOfRun = (runId: string) => (runId === RUN ? MESSAGE : `OTHER-${runId}`);

/** A pain.002.001.10 written by hand; each transaction may quote its original amount back. */
function report(
  transactions: readonly {
    id: string;
    status: string;
    reason?: string;
    amount?: string;
    currency?: string;
  }[],
  options: { originalMessageId?: string; group?: string } = {},
): string {
  const details = transactions
    .map(
      (t) =>
        `<TxInfAndSts><OrgnlEndToEndId>${t.id}</OrgnlEndToEndId><TxSts>${t.status}</TxSts>${
          t.reason
            ? `<StsRsnInf><Rsn><Cd>${t.reason}</Cd></Rsn><AddtlInf>Closed account number</AddtlInf></StsRsnInf>`
            : ''
        }${
          t.amount
            ? `<OrgnlTxRef><Amt><InstdAmt Ccy="${t.currency ?? 'EUR'}">${t.amount}</InstdAmt></Amt></OrgnlTxRef>`
            : ''
        }</TxInfAndSts>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="${PAIN002_NAMESPACE}">
  <CstmrPmtStsRpt>
    <GrpHdr><MsgId>BANK-RPT-1</MsgId><CreDtTm>2026-12-02T07:00:00Z</CreDtTm></GrpHdr>
    <OrgnlGrpInfAndSts>
      <OrgnlMsgId>${options.originalMessageId ?? MESSAGE}</OrgnlMsgId>
      <OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId>
      ${options.group ?? '<GrpSts>PART</GrpSts>'}
    </OrgnlGrpInfAndSts>
    ${transactions.length > 0 ? `<OrgnlPmtInfAndSts><OrgnlPmtInfId>${MESSAGE}-1</OrgnlPmtInfId>${details}</OrgnlPmtInfAndSts>` : ''}
  </CstmrPmtStsRpt>
</Document>`;
}

function payment(id: string, status: PaymentOnRecord['status'] = 'SENT', amount = '100.00'): PaymentOnRecord {
  return {
    runId: RUN,
    paymentId: id,
    holdId: `hold-${id}`,
    vendorId: 'V-1',
    amount,
    currency: 'EUR',
    status,
  };
}

function hold(p: PaymentOnRecord, status: HoldView['status'] = 'IN_PAYMENT', amount = p.amount): HoldView {
  return {
    holdId: p.holdId,
    accountId: 'AP-EUR',
    payee: p.vendorId,
    amount: money(amount, 'EUR'),
    postedAmount: money('0', 'EUR'),
    status,
    reason: 'invoice',
    expiresAt: '2027-01-01T00:00:00.000Z',
    releaseAt: null,
    initiatedBy: { kind: 'person', id: 'avery.clerk' },
    agentId: null,
    createdAt: '2026-12-01T00:00:00.000Z',
    closedAt: null,
    disputedAt: null,
    source: null,
    paymentId: p.paymentId,
  };
}

function plan(xml: string, payments: readonly PaymentOnRecord[], holds = payments.map((p) => hold(p))) {
  return planStatusReport(xml, {
    payments: new Map(payments.map((p) => [p.paymentId, p])),
    holds: new Map(holds.map((h) => [h.holdId, h])),
    messageIdOfRun,
  });
}

function applied(result: StatusReportPlan | StatusReportRefusal): StatusReportPlan {
  if (result.outcome !== 'apply') throw new Error(`refused: ${result.code} ${result.message}`);
  return result;
}

function refused(result: StatusReportPlan | StatusReportRefusal): StatusReportRefusal {
  if (result.outcome !== 'refuse') throw new Error('applied, not refused');
  return result;
}

describe('classifyBankFile', () => {
  it('tells a status report from a statement and from anything else', () => {
    // Prepare
    const statement = readFileSync('test/support/bank-statements/camt053-hand-built.xml', 'utf8');

    // Act / Assess
    expect(classifyBankFile(report([{ id: 'P1', status: 'ACSC' }]))).toBe('pain.002');
    expect(classifyBankFile(statement)).toBe('statement');
    expect(classifyBankFile(statement.replace('camt.053.001.08', 'camt.054.001.08'))).toBe('statement');
    expect(classifyBankFile('101 021000021 1234567890...')).toBe('unknown');
  });
});

describe('planStatusReport', () => {
  it('posts final acceptances, voids rejections with the bank reason, and waits on pending or not-final ones', () => {
    // Prepare
    const payments = [
      payment('P1', 'SENT', '100.00'),
      payment('P2', 'SENT', '40.50'),
      payment('P3'),
      payment('P4'),
    ];
    const xml = report([
      { id: 'P1', status: 'ACSC', amount: '100.00' },
      { id: 'P2', status: 'RJCT', reason: 'AC04' },
      { id: 'P3', status: 'PDNG' },
      { id: 'P4', status: 'ACSP' },
    ]);

    // Act
    const result = applied(plan(xml, payments));

    // Assess
    expect(result.runId).toBe(RUN);
    expect(result.actions.map((a) => [a.payment.paymentId, a.kind])).toEqual([
      ['P1', 'post'],
      ['P2', 'void'],
      ['P3', 'none'],
      ['P4', 'none'],
    ]);
    expect(result.actions[1]).toMatchObject({ reason: 'AC04 Closed account number' });
    expect(result.counts).toEqual({ transactions: 4, post: 1, void: 1, pending: 2, alreadyApplied: 0 });
    expect(result.posted).toEqual(money('100.00', 'EUR'));
    expect(endToEndIds(xml)).toEqual(['P1', 'P2', 'P3', 'P4']);
  });

  it('changes nothing for a status already applied, and goes on after a crash left the hold posted or voided', () => {
    // Prepare
    const posted = payment('P1', 'POSTED');
    const rejected = payment('P2', 'REJECTED');
    const crashedPost = payment('P3');
    const crashedVoid = payment('P4');
    const xml = report([
      { id: 'P1', status: 'ACSC' },
      { id: 'P2', status: 'RJCT', reason: 'AC04' },
      { id: 'P3', status: 'ACSC' },
      { id: 'P4', status: 'RJCT' },
    ]);

    // Act
    const result = applied(
      plan(
        xml,
        [posted, rejected, crashedPost, crashedVoid],
        [
          hold(posted, 'POSTED'),
          hold(rejected, 'VOIDED'),
          hold(crashedPost, 'POSTED'),
          hold(crashedVoid, 'VOIDED'),
        ],
      ),
    );

    // Assess
    expect(result.actions.map((a) => a.kind)).toEqual(['none', 'none', 'post', 'void']);
    expect(result.counts.alreadyApplied).toBe(2);
    expect(result.actions[3]).toMatchObject({ reason: 'Rejected by the bank without a reason' });
  });

  it('refuses the whole file when a status contradicts one already applied', () => {
    // Prepare
    const xml = report([
      { id: 'P1', status: 'ACSC' },
      { id: 'P2', status: 'RJCT', reason: 'AC04' },
    ]);
    const payments = [payment('P1'), payment('P2', 'POSTED')];

    // Act
    const result = refused(plan(xml, payments));
    const acceptedAfterRejection = refused(
      plan(report([{ id: 'P1', status: 'ACSC' }]), [payment('P1', 'REJECTED')]),
    );

    // Assess
    expect(result).toMatchObject({ code: 'STATUS_CONFLICT', runId: RUN, endToEndId: 'P2' });
    expect(acceptedAfterRejection.code).toBe('STATUS_CONFLICT');
  });

  it('refuses an end-to-end id Tollgate never sent, naming it', () => {
    // Prepare
    const xml = report([
      { id: 'P1', status: 'ACSC' },
      { id: 'NOT-OURS', status: 'ACSC' },
    ]);

    // Act
    const result = refused(plan(xml, [payment('P1')]));

    // Assess
    expect(result).toMatchObject({ code: 'UNKNOWN_END_TO_END_ID', endToEndId: 'NOT-OURS', runId: RUN });
    expect(result.message).toContain('NOT-OURS');
  });

  it('refuses a report quoting another amount or currency than the payment was sent for', () => {
    // Prepare
    const payments = [payment('P1', 'SENT', '100.00')];

    // Act
    const amount = refused(plan(report([{ id: 'P1', status: 'ACSC', amount: '100.01' }]), payments));
    const currency = refused(
      plan(report([{ id: 'P1', status: 'ACSC', amount: '100.00', currency: 'USD' }]), payments),
    );
    const sameAmountOtherScale = plan(report([{ id: 'P1', status: 'ACSC', amount: '100.0' }]), payments);

    // Assess
    expect(amount.code).toBe('AMOUNT_MISMATCH');
    expect(currency.code).toBe('CURRENCY_MISMATCH');
    expect(sameAmountOtherScale.outcome).toBe('apply');
  });

  it('refuses malformed XML with the parser rule, and a rejection that names no payment', () => {
    // Act
    const malformed = refused(plan('<Document><CstmrPmtStsRpt>', [payment('P1')]));
    const wholeGroup = refused(
      plan(report([], { group: '<GrpSts>RJCT</GrpSts><StsRsnInf><Rsn><Cd>FF01</Cd></Rsn></StsRsnInf>' }), []),
    );

    // Assess
    expect(malformed).toMatchObject({ code: 'MALFORMED_REPORT', rule: 'MALFORMED_XML', runId: null });
    expect(endToEndIds('<Document><CstmrPmtStsRpt>')).toEqual([]);
    expect(wholeGroup.code).toBe('NO_TRANSACTION_DETAIL');
  });

  it('refuses a payment that was never sent, one sent in another message, and a hold not in this payment', () => {
    // Prepare
    const proposed = payment('P1', 'PROPOSED');
    const other = { ...payment('P2'), runId: 'run-2' };
    const held = payment('P3');

    // Act
    const notSent = refused(plan(report([{ id: 'P1', status: 'ACSC' }]), [proposed]));
    const otherMessage = refused(plan(report([{ id: 'P2', status: 'ACSC' }]), [other]));
    const holdHeld = refused(plan(report([{ id: 'P3', status: 'ACSC' }]), [held], [hold(held, 'HELD')]));
    const holdVoided = refused(plan(report([{ id: 'P3', status: 'ACSC' }]), [held], [hold(held, 'VOIDED')]));
    const holdAmount = refused(
      plan(report([{ id: 'P3', status: 'ACSC' }]), [held], [hold(held, 'IN_PAYMENT', '99.00')]),
    );

    // Assess
    expect(notSent.code).toBe('PAYMENT_NOT_SENT');
    expect(otherMessage.code).toBe('ORIGINAL_MESSAGE_MISMATCH');
    expect(holdHeld.code).toBe('HOLD_STATE_CONFLICT');
    expect(holdVoided.code).toBe('HOLD_STATE_CONFLICT');
    expect(holdAmount.code).toBe('HOLD_STATE_CONFLICT');
  });

  it('applies nothing for a bare acknowledgement without transaction statuses', () => {
    // Act
    const result = applied(plan(report([], { group: '<GrpSts>ACTC</GrpSts>' }), []));

    // Assess
    expect(result).toMatchObject({ runId: null, actions: [], posted: null });
  });
});
