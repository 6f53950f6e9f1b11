import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';

// POWERTOOLS_DEV (the shared setup) turns metrics off and prints through the global console:
// switch them back on for this file, so the EMF a Lambda would write can be read from console.log.
process.env.POWERTOOLS_METRICS_DISABLED = 'false';
process.env.TOLLGATE_STAGE = 'uat';
process.env.POWERTOOLS_SERVICE_NAME = 'tollgate';
const {
  estimateModelCostMicroUsd,
  recordApproval,
  recordApprovalBacklog,
  recordCycleTime,
  recordInvoiceDecision,
  recordModelThrottle,
  recordModelUsage,
} = await import('#platform/aws/metrics.ts');
const { logger } = await import('#platform/aws/logger.ts');

interface Emf {
  _aws: {
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [key: string]: unknown;
}

let log: MockInstance<typeof console.log>;
beforeEach(() => {
  log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => log.mockRestore());

/** Every EMF record written, parsed. */
function written(): Emf[] {
  return log.mock.calls.map(([line]) => JSON.parse(String(line)) as Emf);
}

/** The records that carry `metric`, as {dimension names, dimension values, value}. */
function series(records: Emf[], metric: string) {
  return records
    .filter((r) => r._aws.CloudWatchMetrics[0]?.Metrics.some((m) => m.Name === metric))
    .map((r) => {
      const names = r._aws.CloudWatchMetrics[0]?.Dimensions[0] ?? [];
      return {
        dimensions: Object.fromEntries(names.map((name) => [name, r[name]])),
        value: r[metric],
      };
    });
}

describe('recordInvoiceDecision', () => {
  it('counts the decision, the automation and one exception per reason code, in namespace Tollgate', () => {
    // Act
    recordInvoiceDecision({
      decision: 'PENDING_APPROVAL',
      reasonCodes: ['PRICE_VARIANCE', 'NO_RECEIPT', 'PRICE_VARIANCE'],
    });

    // Assess
    const records = written();
    expect(records.every((r) => r._aws.CloudWatchMetrics[0]?.Namespace === 'Tollgate')).toBe(true);
    const base = { service: 'tollgate', stage: 'uat' };
    expect(series(records, 'InvoicesDecided')).toEqual([
      { dimensions: base, value: 1 },
      { dimensions: { ...base, decision: 'PENDING_APPROVAL' }, value: 1 },
    ]);
    expect(series(records, 'AutoApproved')).toEqual([{ dimensions: base, value: 0 }]);
    expect(series(records, 'ExceptionsByReason')).toEqual([
      { dimensions: { ...base, reasonCode: 'PRICE_VARIANCE' }, value: 1 },
      { dimensions: { ...base, reasonCode: 'NO_RECEIPT' }, value: 1 },
    ]);
  });

  it('counts an auto-approval with no exceptions', () => {
    // Act
    recordInvoiceDecision({ decision: 'AUTO_APPROVED', reasonCodes: [] });

    // Assess
    const records = written();
    expect(series(records, 'AutoApproved').map((s) => s.value)).toEqual([1]);
    expect(series(records, 'ExceptionsByReason')).toEqual([]);
  });
});

describe('recordModelUsage', () => {
  it('publishes tokens and the estimated cost in micro-USD, per step and in total', () => {
    // Act
    recordModelUsage({
      step: 'ExtractInvoice',
      modelId: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      inputTokens: 1200,
      outputTokens: 310,
      local: false,
    });

    // Assess: 1200 × 3 + 310 × 15 micro-USD at $3 / $15 per million tokens
    const records = written();
    expect(series(records, 'ModelCostMicroUsd').map((s) => [s.dimensions.step, s.value])).toEqual([
      [undefined, 8250],
      ['ExtractInvoice', 8250],
    ]);
    expect(series(records, 'ModelInputTokens').map((s) => s.value)).toEqual([1200, 1200]);
    expect(series(records, 'ModelOutputTokens').map((s) => s.value)).toEqual([310, 310]);
  });

  it('costs the local model nothing', () => {
    // Act
    recordModelUsage({
      step: 'Explain',
      modelId: 'local.deterministic',
      inputTokens: 500,
      outputTokens: 80,
      local: true,
    });

    // Assess
    expect(series(written(), 'ModelCostMicroUsd').map((s) => s.value)).toEqual([0, 0]);
  });

  it('leaves the cost off for a model without a list price, says so, and still counts its tokens', () => {
    // Prepare
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);

    // Act
    recordModelUsage({
      step: 'Explain',
      modelId: 'mistral.unknown-v1',
      inputTokens: 5,
      outputTokens: 6,
      local: false,
    });

    // Assess
    const records = written();
    expect(series(records, 'ModelCostMicroUsd')).toEqual([]);
    expect(series(records, 'ModelInputTokens').map((s) => s.value)).toEqual([5, 5]);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('no list price'), {
      modelId: 'mistral.unknown-v1',
    });
    warn.mockRestore();
  });
});

describe('estimateModelCostMicroUsd', () => {
  it('prices by model id whatever the geographic profile or ARN around it', () => {
    // Act
    const inRegion = estimateModelCostMicroUsd('anthropic.claude-haiku-4-5-20251001-v1:0', 1000, 1000);
    const profile = estimateModelCostMicroUsd('eu.anthropic.claude-haiku-4-5-20251001-v1:0', 1000, 1000);
    const arn = estimateModelCostMicroUsd(
      'arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0',
      1000,
      1000,
    );

    // Assess: $1 / $5 per million tokens
    expect([inRegion, profile, arn]).toEqual([6000, 6000, 6000]);
  });
});

describe('the other records', () => {
  it('carry their dimensions: role and decision, final status, step', () => {
    // Act
    recordApproval({ role: 'controller', decision: 'APPROVE' });
    recordCycleTime(93_000, 'APPROVED');
    recordModelThrottle('ProposeCoding');
    recordApprovalBacklog({ pending: 4, pastDeadline: 1 });

    // Assess
    const records = written();
    expect(series(records, 'ApprovalsDecided')).toEqual([
      {
        dimensions: { service: 'tollgate', stage: 'uat', role: 'controller', decision: 'APPROVE' },
        value: 1,
      },
    ]);
    expect(series(records, 'CycleTime').map((s) => [s.dimensions.finalStatus, s.value])).toEqual([
      [undefined, 93_000],
      ['APPROVED', 93_000],
    ]);
    expect(series(records, 'ModelThrottles').map((s) => s.dimensions.step)).toEqual([
      undefined,
      'ProposeCoding',
    ]);
    expect(series(records, 'ApprovalsPastDeadline')).toEqual([
      { dimensions: { service: 'tollgate', stage: 'uat' }, value: 1 },
    ]);
    expect(series(records, 'ApprovalsPending').map((s) => s.value)).toEqual([4]);
  });
});
