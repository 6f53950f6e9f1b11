import type { CodingLine, CodingRequest } from './model-provider.ts';
import { type RuleResult, rule } from './reason-codes.ts';

/** GL coding from the PO line, else the vendor's default account: the rule the local model applies. */
export function codeFromPurchaseOrder(request: CodingRequest): CodingLine[] {
  const costCenter = request.purchaseOrder?.costCenter ?? 'UNASSIGNED';
  return request.invoice.lines.map((line) => {
    const match = request.lineMatches.find((m) => m.invoiceLineNo === line.lineNo);
    const poLine = request.purchaseOrder?.lines.find((p) => p.lineNo === match?.poLineNo);
    if (poLine) {
      return {
        lineNo: line.lineNo,
        glAccount: poLine.glAccount,
        costCenter,
        rationale: `Coded to ${poLine.glAccount} as PO line ${poLine.lineNo} (${poLine.description}) was ordered against it.`,
      };
    }
    const glAccount = request.vendorDefaultGlAccount ?? 'SUSPENSE';
    return {
      lineNo: line.lineNo,
      glAccount,
      costCenter,
      rationale: request.vendorDefaultGlAccount
        ? `No matching PO line, so the vendor's default account ${glAccount} applies.`
        : 'No PO line and no vendor default: held in suspense for a person to code.',
    };
  });
}

export interface CodingCheckInput {
  readonly coding: readonly {
    readonly lineNo: number;
    readonly glAccount: string;
    readonly costCenter: string;
  }[];
  readonly vendor: {
    readonly defaultGlAccount: string;
    readonly allowedGlAccounts?: readonly string[];
  } | null;
  readonly purchaseOrder: {
    readonly costCenter: string;
    readonly lines: readonly { readonly lineNo: number; readonly glAccount: string }[];
  } | null;
  readonly lineMatches: readonly { readonly invoiceLineNo: number; readonly poLineNo: number | null }[];
  /** Absent: no chart check. */
  readonly chartOfAccounts?: readonly { readonly account: string; readonly active: boolean }[] | undefined;
}

/**
 * The model's proposed coding, checked line by line: the account must be the matched PO line's,
 * or the vendor's default or allowed one, and active in the chart when there is one; with a PO,
 * the cost center must be the PO's. An invoice with no known vendor is rejected before coding matters.
 */
export function codingChecks(input: CodingCheckInput): RuleResult[] {
  if (!input.vendor) return [rule('CODING_NOT_ALLOWED', true, 'No vendor identified; coding not checked.')];
  const vendorAccounts = new Set([input.vendor.defaultGlAccount, ...(input.vendor.allowedGlAccounts ?? [])]);
  const active = input.chartOfAccounts
    ? new Set(input.chartOfAccounts.filter((a) => a.active).map((a) => a.account))
    : undefined;
  const failures: RuleResult[] = [];
  for (const line of input.coding.slice(0, 1000)) {
    const match = input.lineMatches.find((m) => m.invoiceLineNo === line.lineNo);
    const poAccount = input.purchaseOrder?.lines.find((p) => p.lineNo === match?.poLineNo)?.glAccount;
    const allowed = line.glAccount === poAccount || vendorAccounts.has(line.glAccount);
    const why = !allowed
      ? `account ${line.glAccount} is neither the PO line's (${poAccount ?? 'none'}) nor one the vendor may be coded to`
      : active && !active.has(line.glAccount)
        ? `account ${line.glAccount} is not active in the chart of accounts`
        : input.purchaseOrder && line.costCenter !== input.purchaseOrder.costCenter
          ? `cost center ${line.costCenter} is not the PO's (${input.purchaseOrder.costCenter})`
          : null;
    if (why) failures.push(rule('CODING_NOT_ALLOWED', false, `Line ${line.lineNo}: ${why}.`, line.lineNo));
  }
  return failures.length > 0
    ? failures
    : [rule('CODING_NOT_ALLOWED', true, 'Every line is coded to an account its PO line or vendor allows.')];
}
