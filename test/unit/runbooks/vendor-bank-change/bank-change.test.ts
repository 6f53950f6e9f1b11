import { describe, expect, it } from 'vitest';
import type { Vendor } from '#platform/system-of-record/core/reference-data.ts';
import {
  calledBackNumber,
  compareWithMaster,
  masterForm,
  newBankDetailsSchema,
  separationProblem,
} from '#runbooks/vendor-bank-change/core/bank-change.ts';

const POLICY = {
  recentChangeDays: 180,
  decisionTimeoutHours: 72,
  unauthenticatedChannels: ['email', 'phone'] as const,
};
const VENDOR: Vendor = {
  vendorId: 'V-1',
  name: 'Prairie Fasteners',
  taxId: '72-1475591',
  currency: 'USD',
  bankAccount: '4294916953',
  routingNumber: '132845751',
  status: 'ACTIVE',
  defaultGlAccount: '6300',
  contactEmails: ['billing@prairie-fasteners.example'],
  contactPhones: ['+1 (402) 555-0100'],
};
const requester = { userId: 'u-requester' };
const person = (userId: string, role = 'ap_clerk') => ({ userId, username: userId, role });

describe('vendor bank change: separation of duties', () => {
  it('refuses a verifier who is the requester', () => {
    // Act
    const problem = separationProblem(requester, person('u-requester'));

    // Assess
    expect(problem).toBe('the verifier is the requester');
  });

  it('refuses an approver who is the verifier, the requester, or not a controller', () => {
    // Prepare
    const verifier = person('u-verifier');

    // Act
    const problems = [
      separationProblem(requester, verifier, person('u-verifier', 'controller')),
      separationProblem(requester, verifier, person('u-requester', 'controller')),
      separationProblem(requester, verifier, person('u-third', 'ap_clerk')),
      separationProblem(requester, verifier, person('u-third', 'controller')),
    ];

    // Assess
    expect(problems).toEqual([
      'the approving controller is the verifier',
      'the approving controller is the requester',
      'the approval was decided as ap_clerk, not controller',
      null,
    ]);
  });
});

describe('vendor bank change: call-back number', () => {
  it('counts a number on file however it is written, and never another number', () => {
    // Act
    const onFile = calledBackNumber(
      'Called Jo on 402-555-0100 at 10:05, confirmed.',
      VENDOR.contactPhones ?? [],
    );
    const other = calledBackNumber(
      'Called Jo on the number in the e-mail, +1 312 555 0199.',
      VENDOR.contactPhones ?? [],
    );
    const none = calledBackNumber('Called them, all fine.', VENDOR.contactPhones ?? []);

    // Assess
    expect(onFile).toBe('+1 (402) 555-0100');
    expect(other).toBeUndefined();
    expect(none).toBeUndefined();
  });
});

describe('vendor bank change: comparison with the vendor master', () => {
  it('flags an e-mail from a domain not on file, a recent change and another bank', () => {
    // Prepare
    const next = masterForm({ bankAccount: '555000111222', routingNumber: '021000021' });

    // Act
    const { differences, riskFlags } = compareWithMaster(
      { ...VENDOR, bankDetailsChangedAt: '2026-10-01' },
      next,
      { channel: 'email', sender: 'ap@prairie-fasteners-pay.example', receivedAt: '2026-12-01T09:00:00Z' },
      { ...POLICY, unauthenticatedChannels: [...POLICY.unauthenticatedChannels] },
      '2026-12-01',
    );

    // Assess
    expect(differences).toEqual([
      { field: 'bankAccount', from: '****6953', to: '****1222' },
      { field: 'routingNumber', from: '132845751', to: '021000021' },
    ]);
    expect(riskFlags.map((f) => f.code)).toEqual([
      'ORIGIN_NOT_AUTHENTICATED',
      'ORIGIN_DOMAIN_NOT_ON_FILE',
      'RECENT_BANK_CHANGE',
      'BANK_CHANGED',
    ]);
  });

  it('raises no origin flag for a letter, and flags a move from a US account to an IBAN', () => {
    // Act
    const { riskFlags } = compareWithMaster(
      VENDOR,
      masterForm({ iban: 'DE89 3704 0044 0532 0130 00', bic: 'COBADEFFXXX' }),
      { channel: 'letter', receivedAt: '2026-12-01T09:00:00Z' },
      { ...POLICY, unauthenticatedChannels: [...POLICY.unauthenticatedChannels] },
      '2026-12-01',
    );

    // Assess
    expect(riskFlags.map((f) => f.code)).toEqual(['ACCOUNT_KIND_CHANGED']);
  });

  it('refuses details whose check digits fail', () => {
    // Act
    const results = [
      newBankDetailsSchema.safeParse({ bankAccount: '555000111222', routingNumber: '021000022' }),
      newBankDetailsSchema.safeParse({ iban: 'DE89370400440532013001' }),
      newBankDetailsSchema.safeParse({ iban: 'DE89370400440532013000', bic: 'cobadeff' }),
      newBankDetailsSchema.safeParse({ iban: 'DE89370400440532013000' }),
    ];

    // Assess
    expect(results.map((r) => r.success)).toEqual([false, false, false, true]);
  });
});
