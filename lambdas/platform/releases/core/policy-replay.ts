import { add, formatMoney, type Money, money, zero } from '#platform/core/money.ts';
import type { EvidenceRecord } from '#platform/evidence/core/records.ts';
import type {
  ApPolicy,
  PurchaseOrder,
  SystemOfRecord,
  Vendor,
} from '#platform/system-of-record/core/reference-data.ts';
import { TIER_AUTO_APPROVE_BP } from '#platform/trust/core/gate.ts';
import type { AgentStanding, Tier } from '#platform/trust/core/standing.ts';
import {
  APPROVE_ACTION,
  decideInvoice,
  type InvoiceDecision,
} from '#runbooks/invoice-reconciliation/core/decide-invoice.ts';
import type { Invoice } from '#runbooks/invoice-reconciliation/core/invoice.ts';
import { REASON_CODES, type RuleResult } from '#runbooks/invoice-reconciliation/core/reason-codes.ts';
import { threeWayMatch, validateArithmetic } from '#runbooks/invoice-reconciliation/core/three-way-match.ts';

/**
 * Policy replay: past invoice runs re-decided from their recorded evidence under another AP
 * policy, with the runbook's own rules (validateArithmetic, threeWayMatch, decideInvoice).
 *
 * What a threshold can change is recomputed: the invoice's arithmetic (totals tolerance), each
 * line's price and the tax (price and tax tolerances, against the PO in the system of record),
 * and the controller threshold. Everything else is taken as recorded: the invoice as extracted,
 * vendor, duplicate, receipt and quantity results, coding, and the agent's standing and daily
 * usage at the time. A run is replayed only when the recorded policy reproduces its recorded
 * decision exactly; otherwise it is listed as not reproducible with the reason, never guessed.
 */

/** Codes whose verdict depends on a policy threshold; recomputed on replay. */
const THRESHOLD_CODES = new Set(['TOTALS_MISMATCH', 'PRICE_VARIANCE', 'TAX_VARIANCE']);
/** Codes the gate adds from the amount and the standing, not from rule results. */
const GATE_CODES = new Set(['OVER_AUTHORITY', 'CONTROLLER_THRESHOLD']);

/** The recorded evidence of one invoice run that replay reads. */
export interface RecordedRun {
  readonly executionId: string;
  readonly runbookVersion: string;
  /** The invoice the rules saw (extraction's answer, or the structured document). */
  readonly invoice: Invoice;
  /** Submitted for this legal entity (null: the runbook's one entity). */
  readonly entity: string | null;
  readonly perEntity: boolean;
  /** MatchToPurchaseOrder/rule_result. */
  readonly match: EvidenceRecord;
  /** DecideByTrustGate/decision. */
  readonly decision: EvidenceRecord;
}

export interface Verdict {
  readonly decision: string;
  readonly requiredRole: string | null;
  readonly reasonCodes: readonly string[];
}

export type ChangeEffect =
  /** Was approved by the agent alone; now waits for a person. */
  | 'now_held_for_a_person'
  /** Now approved by the agent alone. */
  | 'now_released'
  | 'now_rejected'
  /** Was rejected; now a person decides. */
  | 'no_longer_rejected'
  /** Still for a person, but another role. */
  | 'role_changed'
  /** Same decision and role, other reasons. */
  | 'reasons_changed';

export interface ReplayedDecision {
  readonly executionId: string;
  readonly runbookVersion: string;
  readonly decidedAt: string;
  readonly vendorId: string | null;
  readonly vendorName: string | null;
  readonly invoiceNumber: string | null;
  readonly amount: string | null;
  readonly currency: string | null;
  readonly recorded: Verdict;
  readonly replayed: Verdict;
  readonly effect: ChangeEffect;
  /** The recorded decision this replays: chain and event key. */
  readonly evidence: { readonly executionId: string; readonly eventKey: string };
}

export interface ThresholdChange {
  readonly threshold: string;
  readonly from: string | null;
  readonly to: string | null;
}

export interface PolicyReplayReport {
  readonly kind: 'policy-replay';
  readonly period: { readonly from: string; readonly to: string };
  readonly policy: ApPolicy;
  /** Thresholds that differ from the policy each run was decided under (runs may differ). */
  readonly thresholdChanges: readonly ThresholdChange[];
  readonly runs: number;
  readonly replayed: number;
  readonly unchanged: number;
  /** Decisions (or required roles) that change. */
  readonly changes: readonly ReplayedDecision[];
  /** Same decision and role, other reason codes. */
  readonly reasonsOnly: readonly ReplayedDecision[];
  readonly notReproducible: readonly {
    readonly executionId: string;
    readonly invoiceNumber: string | null;
    readonly reason: string;
  }[];
  /** Per effect, the invoice amounts per currency (exact decimal strings). */
  readonly amounts: Readonly<Partial<Record<ChangeEffect, Readonly<Record<string, string>>>>>;
}

/** The reference data replay reads: the PO and vendor the run matched against. */
export type ReplayReference = Pick<SystemOfRecord, 'getVendor' | 'getPurchaseOrder'>;

const THRESHOLDS = [
  'priceTolerancePercent',
  'priceToleranceAmount',
  'totalsTolerance',
  'taxTolerance',
  'controllerThreshold',
] as const;

/** Which thresholds of `to` differ from `from` (a missing tax tolerance is the totals tolerance). */
export function thresholdChanges(from: ApPolicy, to: ApPolicy): ThresholdChange[] {
  const value = (policy: ApPolicy, name: (typeof THRESHOLDS)[number]) =>
    name === 'taxTolerance' ? (policy.taxTolerance ?? policy.totalsTolerance) : (policy[name] ?? null);
  return THRESHOLDS.flatMap((threshold) => {
    const before = value(from, threshold);
    const after = value(to, threshold);
    return sameDecimal(before, after) ? [] : [{ threshold, from: before, to: after }];
  });
}

function sameDecimal(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  const norm = (s: string) => s.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
  return norm(a) === norm(b);
}

interface RecordedDecisionDetails {
  readonly decision: string;
  readonly requiredRole: string | null;
  readonly reasonCodes: string[];
  readonly authorityCodes?: string[];
  readonly autoApproveLimit: string | null;
  readonly agent: { readonly agentId: string; readonly tier: Tier; readonly score: number };
  readonly usageToday?: string;
  readonly controllerThreshold?: string;
}

/**
 * The agent's standing as the decision record shows it: tier, the auto-approve limit it had,
 * whether it had a pact in the invoice's currency, was suspended or over its daily limit.
 * Built so the gate reaches the same authority verdict for the same amount.
 */
export function standingAsRecorded(details: RecordedDecisionDetails, amount: Money): AgentStanding {
  const authority = new Set(details.authorityCodes ?? []);
  const currency = amount.currency;
  const usage = money(details.usageToday ?? '0', currency);
  const tier: Tier =
    details.agent.tier === 'shadow' || details.agent.tier === 'supervised' ? details.agent.tier : 'bounded';
  const pactCurrency = authority.has('CURRENCY_OUTSIDE_PACT')
    ? currency === 'USD'
      ? 'EUR'
      : 'USD'
    : currency;
  const limit =
    details.autoApproveLimit !== null && TIER_AUTO_APPROVE_BP[tier] > 0n
      ? money(details.autoApproveLimit, pactCurrency)
      : zero(pactCurrency);
  const dailyLimit = authority.has('DAILY_LIMIT_EXCEEDED') ? usage : add(usage, amount);
  return {
    agentId: details.agent.agentId,
    displayName: details.agent.agentId,
    tier,
    score: details.agent.score,
    suspended: authority.has('AGENT_SUSPENDED'),
    pacts: authority.has('NO_PACT_FOR_ACTION')
      ? []
      : [
          {
            action: APPROVE_ACTION,
            perActionLimit: limit,
            dailyLimit: pactCurrency === currency ? dailyLimit : zero(pactCurrency),
            currency: pactCurrency,
            requiredEvidence: [],
            accuracyCommitment: { maxOverrideRateBp: 10_000 },
          },
        ],
    lastEvidenceAt: null,
  };
}

/** The rule results of a run under `policy`: threshold rules recomputed, every other as recorded. */
export function rulesUnder(
  run: RecordedRun,
  policy: ApPolicy,
  reference: { vendor: Vendor | undefined; po: PurchaseOrder | undefined },
): RuleResult[] {
  const recorded = (run.match.details.rules ?? []) as RuleResult[];
  const kept = recorded.filter((r) => !THRESHOLD_CODES.has(r.code));
  const recomputed: RuleResult[] = [];
  if (recorded.some((r) => r.code === 'TOTALS_MISMATCH'))
    recomputed.push(...validateArithmetic(run.invoice, policy));
  if (reference.vendor && recorded.some((r) => r.code === 'PRICE_VARIANCE' || r.code === 'TAX_VARIANCE')) {
    // Receipts and earlier invoices are not read: only the price and tax verdicts are taken from this match.
    const match = threeWayMatch({
      invoice: run.invoice,
      vendor: reference.vendor,
      po: reference.po,
      receipts: [],
      previouslyInvoiced: {},
      policy,
      entity: { entity: run.entity, perEntity: run.perEntity },
    });
    recomputed.push(...match.results.filter((r) => r.code === 'PRICE_VARIANCE' || r.code === 'TAX_VARIANCE'));
  }
  return [...kept, ...recomputed];
}

/** Failed verdicts per code, sorted: what two rule sets are compared by. */
function failedPerCode(results: readonly RuleResult[], codes: ReadonlySet<string>): string {
  return results
    .filter((r) => codes.has(r.code))
    .map((r) => `${r.code}:${r.lineNo ?? '-'}:${r.passed}`)
    .sort()
    .join(',');
}

function decide(
  run: RecordedRun,
  rules: readonly RuleResult[],
  controllerThreshold: string,
): InvoiceDecision {
  const details = run.decision.details as unknown as RecordedDecisionDetails;
  const currency = run.decision.business.currency ?? run.invoice.currency ?? 'USD';
  const amount =
    run.invoice.total && run.invoice.currency ? money(run.invoice.total, currency) : zero(currency);
  // Checks the decide step added beside the rule results (e.g. coding), as the decision recorded them.
  // Only codes no rule result speaks to: a rule's own code follows its (recomputed) verdict.
  const ruled = new Set<string>([...THRESHOLD_CODES, ...rules.map((r) => r.code)]);
  const extra = details.reasonCodes
    .filter((code) => code in REASON_CODES && !GATE_CODES.has(code) && !ruled.has(code))
    .map((code) => ({
      code,
      passed: false,
      effect: REASON_CODES[code as keyof typeof REASON_CODES],
    }));
  return decideInvoice({
    standing: standingAsRecorded(details, amount),
    invoice: run.invoice,
    currency,
    checks: [...rules, ...extra],
    controllerThreshold,
    usageToday: money(details.usageToday ?? '0', currency),
  });
}

const verdictOf = (d: Pick<InvoiceDecision, 'decision' | 'requiredRole' | 'reasonCodes'>): Verdict => ({
  decision: d.decision,
  requiredRole: d.requiredRole,
  reasonCodes: [...d.reasonCodes].sort(),
});

const sameVerdict = (a: Verdict, b: Verdict) =>
  a.decision === b.decision &&
  a.requiredRole === b.requiredRole &&
  a.reasonCodes.join(',') === b.reasonCodes.join(',');

function effectOf(recorded: Verdict, replayed: Verdict): ChangeEffect {
  if (recorded.decision === replayed.decision)
    return recorded.requiredRole === replayed.requiredRole ? 'reasons_changed' : 'role_changed';
  if (replayed.decision === 'AUTO_APPROVED') return 'now_released';
  if (replayed.decision === 'REJECTED') return 'now_rejected';
  return recorded.decision === 'AUTO_APPROVED' ? 'now_held_for_a_person' : 'no_longer_rejected';
}

export type RunReplay =
  | { readonly kind: 'replayed'; readonly decision: ReplayedDecision }
  | { readonly kind: 'not_reproducible'; readonly reason: string };

/** One run re-decided under `policy`, after checking its recorded policy reproduces its recorded decision. */
export async function replayRun(
  run: RecordedRun,
  policy: ApPolicy,
  reference: ReplayReference,
): Promise<RunReplay> {
  const recordedPolicy = run.match.details.policy as ApPolicy | undefined;
  const details = run.decision.details as unknown as RecordedDecisionDetails;
  if (!recordedPolicy) return { kind: 'not_reproducible', reason: 'the match record carries no policy' };
  const vendorId = run.match.business.vendorId;
  const poNumber = run.match.details.purchaseOrder as string | null | undefined;
  const [vendor, po] = await Promise.all([
    vendorId ? reference.getVendor(vendorId) : undefined,
    poNumber ? reference.getPurchaseOrder(poNumber) : undefined,
  ]);
  const refs = { vendor, po };
  const recordedRules = (run.match.details.rules ?? []) as RuleResult[];
  const baselineRules = rulesUnder(run, recordedPolicy, refs);
  if (failedPerCode(baselineRules, THRESHOLD_CODES) !== failedPerCode(recordedRules, THRESHOLD_CODES)) {
    return {
      kind: 'not_reproducible',
      reason: `the recorded policy no longer gives the recorded ${[...THRESHOLD_CODES].join('/')} results (the PO ${poNumber ?? '(none)'} or vendor changed since)`,
    };
  }
  const recorded = verdictOf(details as unknown as InvoiceDecision);
  const baseline = verdictOf(
    decide(run, recordedRules, details.controllerThreshold ?? recordedPolicy.controllerThreshold),
  );
  if (!sameVerdict(baseline, recorded)) {
    return {
      kind: 'not_reproducible',
      reason: `re-deciding under the recorded policy gives ${baseline.decision} (${baseline.reasonCodes.join(', ') || 'no codes'}), the record says ${recorded.decision} (${recorded.reasonCodes.join(', ') || 'no codes'})`,
    };
  }
  const replayed = verdictOf(decide(run, rulesUnder(run, policy, refs), policy.controllerThreshold));
  const business = run.decision.business;
  return {
    kind: 'replayed',
    decision: {
      executionId: run.executionId,
      runbookVersion: run.runbookVersion,
      decidedAt: run.decision.timestamp,
      vendorId: business.vendorId ?? null,
      vendorName: business.vendorName ?? null,
      invoiceNumber: business.invoiceNumber ?? run.invoice.invoiceNumber,
      amount: business.amount ?? null,
      currency: business.currency ?? null,
      recorded,
      replayed,
      effect: effectOf(recorded, replayed),
      evidence: { executionId: run.executionId, eventKey: run.decision.eventKey },
    },
  };
}

/** Every run in the period re-decided under `policy`; what changes, with amounts per currency. */
export async function replayPolicy(input: {
  readonly runs: readonly RecordedRun[];
  readonly policy: ApPolicy;
  readonly period: { readonly from: string; readonly to: string };
  readonly reference: ReplayReference;
}): Promise<PolicyReplayReport> {
  const changes: ReplayedDecision[] = [];
  const reasonsOnly: ReplayedDecision[] = [];
  const notReproducible: PolicyReplayReport['notReproducible'][number][] = [];
  const changed = new Map<string, ThresholdChange>();
  let unchanged = 0;
  for (const run of input.runs) {
    const recordedPolicy = run.match.details.policy as ApPolicy | undefined;
    if (recordedPolicy) {
      for (const change of thresholdChanges(recordedPolicy, input.policy))
        changed.set(`${change.threshold}:${change.from}`, change);
    }
    const result = await replayRun(run, input.policy, input.reference);
    if (result.kind === 'not_reproducible') {
      notReproducible.push({
        executionId: run.executionId,
        invoiceNumber: run.decision.business.invoiceNumber ?? run.invoice.invoiceNumber,
        reason: result.reason,
      });
    } else if (sameVerdict(result.decision.recorded, result.decision.replayed)) {
      unchanged += 1;
    } else if (result.decision.effect === 'reasons_changed') {
      reasonsOnly.push(result.decision);
    } else {
      changes.push(result.decision);
    }
  }
  const byTime = (a: ReplayedDecision, b: ReplayedDecision) =>
    a.decidedAt.localeCompare(b.decidedAt) || a.executionId.localeCompare(b.executionId);
  changes.sort(byTime);
  reasonsOnly.sort(byTime);
  return {
    kind: 'policy-replay',
    period: input.period,
    policy: input.policy,
    thresholdChanges: [...changed.values()],
    runs: input.runs.length,
    replayed: input.runs.length - notReproducible.length,
    unchanged,
    changes,
    reasonsOnly,
    notReproducible,
    amounts: amountsByEffect(changes),
  };
}

function amountsByEffect(changes: readonly ReplayedDecision[]): PolicyReplayReport['amounts'] {
  const sums = new Map<ChangeEffect, Map<string, Money>>();
  for (const change of changes) {
    if (!change.amount || !change.currency) continue;
    const perCurrency = sums.get(change.effect) ?? new Map<string, Money>();
    const value = money(change.amount, change.currency);
    const current = perCurrency.get(change.currency);
    perCurrency.set(change.currency, current ? add(current, value) : value);
    sums.set(change.effect, perCurrency);
  }
  return Object.fromEntries(
    [...sums.entries()].map(([effect, perCurrency]) => [
      effect,
      Object.fromEntries([...perCurrency.entries()].sort().map(([c, m]) => [c, formatMoney(m)])),
    ]),
  );
}

/** The report as lines a controller reads. */
export function formatReplay(report: PolicyReplayReport): string[] {
  const verdict = (v: Verdict) =>
    `${v.decision}${v.requiredRole ? ` (${v.requiredRole})` : ''}${v.reasonCodes.length ? ` [${v.reasonCodes.join(', ')}]` : ''}`;
  const line = (c: ReplayedDecision) =>
    `  ${c.effect.padEnd(22)} ${(c.invoiceNumber ?? '(no number)').padEnd(12)} ${(c.vendorName ?? c.vendorId ?? '').padEnd(28)} ${`${c.amount ?? '-'} ${c.currency ?? ''}`.padStart(16)}  ${verdict(c.recorded)} -> ${verdict(c.replayed)}  (run ${c.executionId})`;
  return [
    `Policy replay of invoice decisions ${report.period.from} to ${report.period.to}`,
    `  Thresholds changed   ${report.thresholdChanges.map((t) => `${t.threshold} ${t.from ?? '-'} -> ${t.to ?? '-'}`).join(', ') || 'none'}`,
    `  Runs                 ${report.runs} (${report.replayed} replayed, ${report.unchanged} unchanged, ${report.changes.length} decisions change, ${report.reasonsOnly.length} reasons only, ${report.notReproducible.length} not reproducible)`,
    ...Object.entries(report.amounts).map(
      ([effect, amounts]) =>
        `  ${effect.padEnd(20)} ${Object.entries(amounts ?? {})
          .map(([c, a]) => `${a} ${c}`)
          .join(', ')}`,
    ),
    '',
    report.changes.length ? 'Decisions that change:' : 'No decision changes.',
    ...report.changes.map(line),
    ...(report.reasonsOnly.length
      ? ['', 'Same decision, other reasons:', ...report.reasonsOnly.map(line)]
      : []),
    ...(report.notReproducible.length
      ? [
          '',
          'Not reproducible (left out):',
          ...report.notReproducible.map(
            (n) => `  ${n.invoiceNumber ?? '(no number)'} (run ${n.executionId}): ${n.reason}`,
          ),
        ]
      : []),
    '',
  ];
}
