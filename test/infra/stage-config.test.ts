import { describe, expect, it } from 'vitest';
import { resolveStageConfig, StageConfigError } from '../../lib/config/stage-config.ts';
import { shippedContext } from './synthesize.ts';

const MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';

function failure(act: () => unknown): StageConfigError {
  try {
    act();
  } catch (error) {
    if (error instanceof StageConfigError) return error;
    throw error;
  }
  throw new Error('expected a StageConfigError, got none');
}

describe('resolveStageConfig', () => {
  it('resolves the shipped stages: prod COMPLIANCE for seven years, dev GOVERNANCE for a day', () => {
    // Prepare
    const stages = shippedContext().stages;

    // Act
    const prod = resolveStageConfig('prod', stages);
    const dev = resolveStageConfig('dev', stages);

    // Assess
    expect(prod.evidenceRetention).toEqual({ mode: 'COMPLIANCE', days: 2557 });
    expect(dev.evidenceRetention).toEqual({ mode: 'GOVERNANCE', days: 1 });
    expect(prod.modelId).toBe(MODEL);
    expect(prod.approvalThresholds.controllerThreshold).toBe('50000.00');
  });

  it('lays cdk.json overrides over the defaults, key by key', () => {
    // Act
    const config = resolveStageConfig('dev', {
      dev: { modelId: MODEL, apiThrottle: { rateLimit: 5 }, region: 'eu-west-1' },
    });

    // Assess
    expect(config.apiThrottle).toEqual({ rateLimit: 5, burstLimit: 20 });
    expect(config.region).toBe('eu-west-1');
    expect(config.logRetentionDays).toBe(14);
  });

  it('rejects an unknown stage and says how to add it', () => {
    // Act
    const error = failure(() => resolveStageConfig('uat', { dev: { modelId: MODEL } }));

    // Assess
    expect(error.code).toBe('UNKNOWN_STAGE');
    expect(error.message).toContain('"stages.uat"');
    expect(error.message).toContain('cdk.json');
  });

  it('rejects a stage without a model id and names the setting', () => {
    // Act
    const missing = failure(() => resolveStageConfig('prod', {}));
    const empty = failure(() => resolveStageConfig('prod', { prod: { modelId: '  ' } }));

    // Assess
    expect(missing.code).toBe('MISSING_MODEL_ID');
    expect(missing.message).toContain('set context "stages.prod.modelId" in cdk.json');
    expect(empty.code).toBe('MISSING_MODEL_ID');
  });

  it.each([0, -1, 1.5, '7'])('rejects an evidence retention of %s days', (days) => {
    // Act
    const error = failure(() =>
      resolveStageConfig('prod', { prod: { modelId: MODEL, evidenceRetention: { days } } }),
    );

    // Assess
    expect(error.code).toBe('INVALID_EVIDENCE_RETENTION');
    expect(error.message).toContain('set context "stages.prod.evidenceRetention.days" in cdk.json');
  });

  it('rejects an Object Lock mode other than COMPLIANCE or GOVERNANCE', () => {
    // Act
    const error = failure(() =>
      resolveStageConfig('dev', { dev: { modelId: MODEL, evidenceRetention: { mode: 'LEGAL_HOLD' } } }),
    );

    // Assess
    expect(error.code).toBe('INVALID_EVIDENCE_RETENTION');
    expect(error.message).toContain('stages.dev.evidenceRetention.mode');
  });

  it('rejects a log retention CloudWatch Logs would refuse', () => {
    // Act
    const error = failure(() => resolveStageConfig('dev', { dev: { modelId: MODEL, logRetentionDays: 10 } }));

    // Assess
    expect(error.code).toBe('INVALID_LOG_RETENTION');
    expect(error.message).toContain('set context "stages.dev.logRetentionDays" in cdk.json');
  });

  it.each(['50000', '50,000.00', 50000, '1e5', '-1.00'])(
    'rejects the threshold %s',
    (controllerThreshold) => {
      // Act
      const error = failure(() =>
        resolveStageConfig('prod', { prod: { modelId: MODEL, approvalThresholds: { controllerThreshold } } }),
      );

      // Assess
      expect(error.code).toBe('INVALID_THRESHOLD');
      expect(error.message).toContain('stages.prod.approvalThresholds.controllerThreshold');
    },
  );

  it('rejects an auto-approve limit above the controller threshold', () => {
    // Act
    const error = failure(() =>
      resolveStageConfig('prod', {
        prod: { modelId: MODEL, approvalThresholds: { autoApproveLimit: '60000.00' } },
      }),
    );

    // Assess
    expect(error.code).toBe('INVALID_THRESHOLD');
    expect(error.message).toContain('stages.prod.approvalThresholds.autoApproveLimit');
  });
});
