import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricUnit as Unit } from '@aws-lambda-powertools/metrics/types';
import { logger } from './logger.ts';
import { METRIC, METRICS_NAMESPACE } from './metric-names.ts';
import modelPrices from './model-prices.json' with { type: 'json' };
import { STAGE_ENV } from './resource-env.ts';

/**
 * The one metrics instance (EMF on stdout, read by CloudWatch). Every record function below
 * publishes before it returns, so nothing waits in the buffer for a flush a handler forgot.
 */
export const metrics = new Metrics({
  namespace: METRICS_NAMESPACE,
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'tollgate',
  defaultDimensions: { stage: process.env[STAGE_ENV] ?? 'unknown' },
});

type Entry = readonly [name: string, unit: Unit, value: number];

/** One EMF record per dimension set: `{}` is the stage total, the others its breakdowns. */
function publish(dimensionSets: readonly Record<string, string>[], entries: readonly Entry[]): void {
  for (const dimensions of dimensionSets) {
    for (const [name, value] of Object.entries(dimensions)) metrics.addDimension(name, value);
    for (const [name, unit, value] of entries) metrics.addMetric(name, unit, value);
    metrics.publishStoredMetrics();
  }
}

/** The trust gate's verdict on one invoice: counted by decision, automation and each exception reason. */
export function recordInvoiceDecision(outcome: {
  readonly decision: string;
  readonly reasonCodes: readonly string[];
}): void {
  const decided: Entry = [METRIC.invoicesDecided, MetricUnit.Count, 1];
  publish(
    [{}],
    [decided, [METRIC.autoApproved, MetricUnit.Count, outcome.decision === 'AUTO_APPROVED' ? 1 : 0]],
  );
  publish([{ decision: outcome.decision }], [decided]);
  for (const reasonCode of new Set(outcome.reasonCodes)) {
    publish([{ reasonCode }], [[METRIC.exceptionsByReason, MetricUnit.Count, 1]]);
  }
}

/** A person's decision on an approval, by the role they decided in. */
export function recordApproval(approval: { readonly role: string; readonly decision: string }): void {
  publish(
    [{ role: approval.role, decision: approval.decision }],
    [[METRIC.approvalsDecided, MetricUnit.Count, 1]],
  );
}

/** Filing to resolution of a dispute on a hold, by how it ended (posted or voided). */
export function recordDisputeResolution(seconds: number, resolution: string): void {
  publish([{}, { resolution }], [[METRIC.disputeResolutionTime, MetricUnit.Seconds, Math.max(0, seconds)]]);
}

/** A vendor inquiry from received to reply sent: the stage-wide distribution and one per intent. */
export function recordVendorReplyTime(seconds: number, intent: string): void {
  publish([{}, { intent }], [[METRIC.vendorReplyTime, MetricUnit.Seconds, Math.max(0, seconds)]]);
}

/** Submission to final status: the stage-wide distribution (p50/p95) and one per final status. */
export function recordCycleTime(milliseconds: number, finalStatus: string): void {
  publish([{}, { finalStatus }], [[METRIC.cycleTime, MetricUnit.Milliseconds, Math.max(0, milliseconds)]]);
}

/**
 * List prices in USD per million tokens, which is micro-USD per token, keyed by model id
 * without its geographic profile prefix. An estimate for the dashboard, not an amount anyone pays from.
 */
export const MODEL_PRICES: readonly { prefix: string; input: number; output: number }[] = modelPrices;

const GEOGRAPHIC_PREFIX = /^(us|us-gov|eu|apac|jp|au|ca)\./;

/** Estimated cost of one call in whole micro-USD; undefined when the model has no listed price. */
export function estimateModelCostMicroUsd(
  modelId: string,
  inputTokens: number,
  outputTokens: number,
): number | undefined {
  const model = modelId.slice(modelId.lastIndexOf('/') + 1).replace(GEOGRAPHIC_PREFIX, '');
  const price = MODEL_PRICES.find((p) => model.startsWith(p.prefix));
  if (!price) return undefined;
  return Math.round(inputTokens * price.input + outputTokens * price.output);
}

/** Tokens and estimated cost of one model call; the local model is free and counted as such. */
export function recordModelUsage(usage: {
  readonly step: string;
  readonly modelId: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly local: boolean;
}): void {
  const cost = usage.local
    ? 0
    : estimateModelCostMicroUsd(usage.modelId, usage.inputTokens, usage.outputTokens);
  if (cost === undefined)
    logger.warn('no list price for this model; its cost is left off the dashboard', {
      modelId: usage.modelId,
    });
  publish(
    [{}, { step: usage.step }],
    [
      [METRIC.modelInputTokens, MetricUnit.Count, usage.inputTokens],
      [METRIC.modelOutputTokens, MetricUnit.Count, usage.outputTokens],
      ...(cost === undefined ? [] : [[METRIC.modelCost, MetricUnit.Count, cost] as const]),
    ],
  );
}

/** The model service throttled a call (the runbook retries it); sustained throttling alarms. */
export function recordModelThrottle(step: string): void {
  publish([{}, { step }], [[METRIC.modelThrottles, MetricUnit.Count, 1]]);
}

/** The work room's backlog right now: pending approvals and those already past their deadline. */
export function recordApprovalBacklog(backlog: {
  readonly pending: number;
  readonly pastDeadline: number;
}): void {
  publish(
    [{}],
    [
      [METRIC.approvalsPending, MetricUnit.Count, backlog.pending],
      [METRIC.approvalsPastDeadline, MetricUnit.Count, backlog.pastDeadline],
    ],
  );
}
