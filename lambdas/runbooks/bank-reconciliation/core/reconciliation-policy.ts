import * as z from 'zod';
import { normaliseAccountIdentifier } from '#platform/core/bank-accounts.ts';
import { type Money, money } from '#platform/core/money.ts';
import { MAX_DATE_WINDOW_DAYS, type MatchPolicy } from './match-statement.ts';
import { type BankStatement, MAX_FILE_CHARS } from './statement.ts';

const currency = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD');
const decimal = z.string().regex(/^\d+(\.\d+)?$/, 'a non-negative decimal string such as "100.00"');

/** `statemachines/policies/bank-reconciliation.json`: part of the runbook version. */
export const reconciliationPolicySchema = z.strictObject({
  /** The agent whose `receivable.write_off` pact small short payments are written off under. */
  agentId: z.string().min(1),
  /** How many days a debit's booking date may be from the payment's execution date. */
  dateWindowDays: z.number().int().min(0).max(MAX_DATE_WINDOW_DAYS),
  /** Per currency, the largest short payment written off instead of chased; a currency absent writes nothing off. */
  writeOffThreshold: z.record(currency, decimal),
  /** The bank accounts statements are reconciled for: each is a funding account, named on the statement by IBAN or number. */
  accounts: z
    .array(
      z.strictObject({
        accountId: z.string().regex(/^[A-Z0-9][A-Z0-9-]{2,63}$/),
        currency,
        iban: z.string().min(15).max(34).optional(),
        accountNumber: z.string().min(4).max(34).optional(),
      }),
    )
    .min(1),
  /** Largest statement file read, in bytes. */
  maxStatementBytes: z.number().int().positive().max(MAX_FILE_CHARS),
});
export type ReconciliationPolicy = z.infer<typeof reconciliationPolicySchema>;

/** What the pure match takes from the policy. */
export function matchPolicyOf(policy: ReconciliationPolicy): MatchPolicy {
  return {
    dateWindowDays: policy.dateWindowDays,
    writeOffThreshold: Object.entries(policy.writeOffThreshold).map(([code, amount]) => money(amount, code)),
  };
}

export function writeOffThresholdFor(policy: ReconciliationPolicy, code: string): Money | undefined {
  const amount = policy.writeOffThreshold[code];
  return amount === undefined ? undefined : money(amount, code);
}

/** The funding account a statement is for: same currency, and the same IBAN or account number. */
export function fundingAccountOf(policy: ReconciliationPolicy, statement: BankStatement): string | undefined {
  const { iban, other, currency: code } = statement.account;
  const same = (a: string | undefined, b: string | null) =>
    a !== undefined && b !== null && normaliseAccountIdentifier(a) === normaliseAccountIdentifier(b);
  return policy.accounts.find(
    (account) =>
      account.currency === code && (same(account.iban, iban) || same(account.accountNumber, other)),
  )?.accountId;
}
