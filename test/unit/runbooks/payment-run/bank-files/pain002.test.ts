import { describe, expect, it } from 'vitest';
import {
  buildPain002,
  PAIN002_NAMESPACE,
  parsePain002,
} from '#runbooks/payment-run/core/bank-files/pain002.ts';
import { ruleOf } from '../../../../support/bank-files/rules.ts';

/** A pain.002.001.10 report written by hand; `group` and `blocks` are the parts tests vary. */
function report(group: string, blocks: string, namespace = PAIN002_NAMESPACE): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="${namespace}">
  <CstmrPmtStsRpt>
    <GrpHdr><MsgId>BANK-RPT-1</MsgId><CreDtTm>2026-12-02T07:00:00+01:00</CreDtTm></GrpHdr>
    <OrgnlGrpInfAndSts>
      <OrgnlMsgId>PR7F3K2Q</OrgnlMsgId>
      <OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId>
      ${group}
    </OrgnlGrpInfAndSts>
    ${blocks}
  </CstmrPmtStsRpt>
</Document>`;
}

const tx = (id: string, status: string, reason = '') =>
  `<TxInfAndSts><OrgnlEndToEndId>${id}</OrgnlEndToEndId>${status === '' ? '' : `<TxSts>${status}</TxSts>`}${reason}</TxInfAndSts>`;
const block = (details: string, status = '') =>
  `<OrgnlPmtInfAndSts><OrgnlPmtInfId>PR7F3K2Q-EUR</OrgnlPmtInfId>${status === '' ? '' : `<PmtInfSts>${status}</PmtInfSts>`}${details}</OrgnlPmtInfAndSts>`;
const closedAccount =
  '<StsRsnInf><Rsn><Cd>AC04</Cd></Rsn><AddtlInf>Account closed</AddtlInf><AddtlInf>on 2026-11-30</AddtlInf></StsRsnInf>';

describe('parsePain002', () => {
  it('reads accepted, rejected and pending transactions with their reasons', () => {
    // Prepare
    const xml = report(
      '<GrpSts>PART</GrpSts>',
      block(
        tx('PR7F3K2Q-0001', 'ACSC') +
          tx('PR7F3K2Q-0002', 'RJCT', closedAccount) +
          tx('PR7F3K2Q-0003', 'PDNG') +
          tx('PR7F3K2Q-0004', 'ACTC'),
      ),
    );

    // Act
    const parsed = parsePain002(xml);

    // Assess
    expect(parsed).toEqual({
      messageId: 'BANK-RPT-1',
      originalMessageId: 'PR7F3K2Q',
      originalMessageType: 'pain.001.001.09',
      groupStatus: 'PART',
      groupRejected: false,
      groupReasonCode: null,
      groupReasonText: null,
      rejectedPaymentInfoIds: [],
      transactions: [
        {
          endToEndId: 'PR7F3K2Q-0001',
          status: 'ACCEPTED',
          final: true,
          isoStatus: 'ACSC',
          reasonCode: null,
          reasonText: null,
        },
        {
          endToEndId: 'PR7F3K2Q-0002',
          status: 'REJECTED',
          final: true,
          isoStatus: 'RJCT',
          reasonCode: 'AC04',
          reasonText: 'Account closed on 2026-11-30',
        },
        {
          endToEndId: 'PR7F3K2Q-0003',
          status: 'PENDING',
          final: false,
          isoStatus: 'PDNG',
          reasonCode: null,
          reasonText: null,
        },
        {
          endToEndId: 'PR7F3K2Q-0004',
          status: 'ACCEPTED',
          final: false,
          isoStatus: 'ACTC',
          reasonCode: null,
          reasonText: null,
        },
      ],
    });
  });

  it('maps each known status code', () => {
    // Prepare
    const codes = ['ACSC', 'ACCC', 'ACSP', 'ACTC', 'ACCP', 'ACWC', 'ACWP', 'ACFC', 'RJCT', 'PDNG', 'RCVD'];
    const xml = report('', block(codes.map((code, index) => tx(`E2E-${index}`, code)).join('')));

    // Act
    const statuses = parsePain002(xml).transactions.map((transaction) => [
      transaction.isoStatus,
      transaction.status,
      transaction.final,
    ]);

    // Assess
    expect(statuses).toEqual([
      ['ACSC', 'ACCEPTED', true],
      ['ACCC', 'ACCEPTED', true],
      ['ACSP', 'ACCEPTED', false],
      ['ACTC', 'ACCEPTED', false],
      ['ACCP', 'ACCEPTED', false],
      ['ACWC', 'ACCEPTED', false],
      ['ACWP', 'ACCEPTED', false],
      ['ACFC', 'ACCEPTED', false],
      ['RJCT', 'REJECTED', true],
      ['PDNG', 'PENDING', false],
      ['RCVD', 'PENDING', false],
    ]);
  });

  it('says the whole message is rejected when the group is RJCT without transaction detail', () => {
    // Prepare
    const xml = report('<GrpSts>RJCT</GrpSts><StsRsnInf><Rsn><Cd>FF01</Cd></Rsn></StsRsnInf>', '');

    // Act
    const parsed = parsePain002(xml);

    // Assess
    expect(parsed.groupRejected).toBe(true);
    expect(parsed.groupStatus).toBe('RJCT');
    expect(parsed.groupReasonCode).toBe('FF01');
    expect(parsed.transactions).toEqual([]);
  });

  it('lists a payment-information block rejected without detail, and lets a transaction inherit its block status', () => {
    // Prepare
    const rejected = report('<GrpSts>PART</GrpSts>', block('', 'RJCT'));
    const inherited = report('', block(tx('PR7F3K2Q-0001', ''), 'ACCP'));

    // Act
    const rejectedBlock = parsePain002(rejected);
    const inheritedStatus = parsePain002(inherited);

    // Assess
    expect(rejectedBlock.rejectedPaymentInfoIds).toEqual(['PR7F3K2Q-EUR']);
    expect(rejectedBlock.groupRejected).toBe(false);
    expect(inheritedStatus.transactions[0]).toMatchObject({ status: 'ACCEPTED', isoStatus: 'ACCP' });
  });

  it('refuses reports it cannot act on safely', () => {
    // Prepare
    const cases: [string, string][] = [
      ['MALFORMED_XML', '<Document><CstmrPmtStsRpt></Document>'],
      ['MALFORMED_XML', ''],
      ['DOCTYPE_NOT_ALLOWED', `<!DOCTYPE x [<!ENTITY a "b">]>${report('', '')}`],
      ['NAMESPACE', report('', '', 'urn:iso:std:iso:20022:tech:xsd:pain.001.001.09')],
      ['MESSAGE_TYPE', report('', '').replaceAll('CstmrPmtStsRpt', 'CstmrCdtTrfInitn')],
      ['ORIGINAL_MESSAGE_TYPE', report('', '').replace('pain.001.001.09', 'pacs.008.001.08')],
      ['MISSING_ELEMENT', report('', '').replace('<OrgnlMsgId>PR7F3K2Q</OrgnlMsgId>', '')],
      ['MISSING_ELEMENT', report('', block('<TxInfAndSts><TxSts>ACSC</TxSts></TxInfAndSts>'))],
      ['MISSING_ELEMENT', report('', block(tx('PR7F3K2Q-0001', '')))],
      ['UNKNOWN_STATUS', report('', block(tx('PR7F3K2Q-0001', 'XXXX')))],
      ['UNKNOWN_STATUS', report('', block(tx('PR7F3K2Q-0001', 'PART')))],
      ['UNKNOWN_STATUS', report('<GrpSts>NOPE</GrpSts>', '')],
      [
        'DUPLICATE_END_TO_END_ID',
        report('', block(tx('PR7F3K2Q-0001', 'ACSC') + tx('PR7F3K2Q-0001', 'RJCT'))),
      ],
      ['STATUS_CONFLICT', report('<GrpSts>RJCT</GrpSts>', block(tx('PR7F3K2Q-0001', 'ACSC')))],
      [
        'FIELD_LENGTH',
        report('', block(tx('PR7F3K2Q-0001', 'RJCT', '<StsRsnInf><Rsn><Cd>AC041</Cd></Rsn></StsRsnInf>'))),
      ],
      ['DATE_TIME_FORMAT', report('', '').replace('2026-12-02T07:00:00+01:00', 'yesterday')],
    ];

    // Act
    const rules = cases.map(([, xml]) => ruleOf(() => parsePain002(xml)));

    // Assess
    expect(rules).toEqual(cases.map(([rule]) => rule));
  });
});

describe('buildPain002', () => {
  const base = {
    messageId: 'SIM-1',
    createdAt: new Date('2026-12-02T06:00:00Z'),
    originalMessageId: 'PR7F3K2Q',
    originalMessageType: 'pain.001.001.09' as const,
  };

  it('writes accepted as ACSC and rejected as RJCT with reason, read back by the parser', () => {
    // Prepare
    const input = {
      ...base,
      originalPaymentInfoId: 'PR7F3K2Q-EUR',
      transactions: [
        { endToEndId: 'PR7F3K2Q-0001', status: 'ACCEPTED' as const },
        { endToEndId: 'PR7F3K2Q-0002', status: 'REJECTED' as const, reasonCode: 'AC04' },
        { endToEndId: 'PR7F3K2Q-0003', status: 'REJECTED' as const, reasonCode: 'AC01' },
      ],
    };

    // Act
    const parsed = parsePain002(buildPain002(input));

    // Assess
    expect(parsed.messageId).toBe('SIM-1');
    expect(parsed.originalMessageId).toBe('PR7F3K2Q');
    expect(parsed.groupStatus).toBe('PART');
    expect(parsed.transactions).toEqual([
      {
        endToEndId: 'PR7F3K2Q-0001',
        status: 'ACCEPTED',
        final: true,
        isoStatus: 'ACSC',
        reasonCode: null,
        reasonText: null,
      },
      {
        endToEndId: 'PR7F3K2Q-0002',
        status: 'REJECTED',
        final: true,
        isoStatus: 'RJCT',
        reasonCode: 'AC04',
        reasonText: 'Closed account number',
      },
      {
        endToEndId: 'PR7F3K2Q-0003',
        status: 'REJECTED',
        final: true,
        isoStatus: 'RJCT',
        reasonCode: 'AC01',
        reasonText: 'Incorrect account number',
      },
    ]);
  });

  it('sets the group status from its transactions', () => {
    // Prepare
    const accepted = { ...base, transactions: [{ endToEndId: 'A-1', status: 'ACCEPTED' as const }] };
    const rejected = { ...base, transactions: [{ endToEndId: 'A-1', status: 'REJECTED' as const }] };

    // Act / Assess
    expect(parsePain002(buildPain002(accepted)).groupStatus).toBe('ACSC');
    expect(parsePain002(buildPain002(rejected))).toMatchObject({ groupStatus: 'RJCT', groupRejected: false });
  });

  it('writes a whole-message rejection when there are no transactions', () => {
    // Prepare
    const input = { ...base, transactions: [], groupReasonCode: 'FF01' };

    // Act
    const parsed = parsePain002(buildPain002(input));

    // Assess
    expect(parsed).toMatchObject({
      groupStatus: 'RJCT',
      groupRejected: true,
      groupReasonCode: 'FF01',
      transactions: [],
    });
  });

  it('refuses a malformed reason code and duplicate transactions', () => {
    // Prepare
    const badReason = {
      ...base,
      transactions: [{ endToEndId: 'A-1', status: 'REJECTED' as const, reasonCode: 'closed' }],
    };
    const duplicate = {
      ...base,
      transactions: [
        { endToEndId: 'A-1', status: 'ACCEPTED' as const },
        { endToEndId: 'A-1', status: 'REJECTED' as const },
      ],
    };

    // Act / Assess
    expect(ruleOf(() => buildPain002(badReason))).toBe('FIELD_FORMAT');
    expect(ruleOf(() => buildPain002(duplicate))).toBe('DUPLICATE_END_TO_END_ID');
  });
});
