import { describe, expect, it } from 'vitest';
import { DEFAULT_APPROVAL_LIMITS } from '#platform/approvals/core/authority.ts';
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
  });

  it('resolves uat, the stage between dev and prod: isolated like prod, a GOVERNANCE lock of 90 days', () => {
    // Act
    const uat = resolveStageConfig('uat', shippedContext().stages);

    // Assess
    expect(uat.evidenceRetention).toEqual({ mode: 'GOVERNANCE', days: 90 });
    expect(uat.network.mode).toBe('isolated');
    expect(uat.modelId).toBe(MODEL);
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
    const error = failure(() => resolveStageConfig('qa', { dev: { modelId: MODEL } }));

    // Assess
    expect(error.code).toBe('UNKNOWN_STAGE');
    expect(error.message).toContain('"stages.qa"');
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

  it('gives every stage the default approval limits', () => {
    // Prepare
    const stages = shippedContext().stages;

    // Act
    const prod = resolveStageConfig('prod', stages);
    const dev = resolveStageConfig('dev', stages);
    const added = resolveStageConfig('uat', {
      uat: {
        modelId: MODEL,
        evidenceRetention: { mode: 'GOVERNANCE', days: 7 },
        logRetentionDays: 30,
        apiThrottle: { rateLimit: 5, burstLimit: 10 },
        network: { mode: 'public' },
      },
    });

    // Assess
    expect(prod.approvalLimits).toEqual(DEFAULT_APPROVAL_LIMITS);
    expect(dev.approvalLimits).toEqual(DEFAULT_APPROVAL_LIMITS);
    expect(added.approvalLimits).toEqual(DEFAULT_APPROVAL_LIMITS);
  });

  it('lays an approval limit for one role and currency over the defaults, keeping the rest', () => {
    // Act
    const config = resolveStageConfig('dev', {
      dev: { modelId: MODEL, approvalLimits: { ap_clerk: { USD: '75000.00' } } },
    });

    // Assess
    expect(config.approvalLimits).toEqual({
      ...DEFAULT_APPROVAL_LIMITS,
      ap_clerk: { ...DEFAULT_APPROVAL_LIMITS.ap_clerk, USD: '75000.00' },
    });
  });

  it('refuses an approval limit under a currency that is not an ISO code, naming the setting', () => {
    // Act
    const error = failure(() =>
      resolveStageConfig('dev', {
        dev: { modelId: MODEL, approvalLimits: { ap_clerk: { usd: '75000.00' } } },
      }),
    );

    // Assess
    expect(error.code).toBe('INVALID_APPROVAL_LIMITS');
    expect(error.message).toContain('set context "stages.dev.approvalLimits.ap_clerk.usd" in cdk.json');
    expect(error.message).toContain('ISO 4217');
  });

  it.each([
    ['JPY', '7500000.50'],
    ['*', '100.50'],
    ['USD', '50000.001'],
  ])('refuses a %s limit of %s: more decimals than the currency allows', (currency, limit) => {
    // Act
    const error = failure(() =>
      resolveStageConfig('dev', {
        dev: { modelId: MODEL, approvalLimits: { controller: { [currency]: limit } } },
      }),
    );

    // Assess
    expect(error.code).toBe('INVALID_APPROVAL_LIMITS');
    expect(error.message).toContain(
      `set context "stages.dev.approvalLimits.controller.${currency}" in cdk.json`,
    );
  });

  it.each([50000, '50,000.00', '-1.00', 'none'])('refuses the approval limit %s', (limit) => {
    // Act
    const error = failure(() =>
      resolveStageConfig('prod', { prod: { modelId: MODEL, approvalLimits: { ap_clerk: { EUR: limit } } } }),
    );

    // Assess
    expect(error.code).toBe('INVALID_APPROVAL_LIMITS');
    expect(error.message).toContain('stages.prod.approvalLimits.ap_clerk.EUR');
    expect(error.message).toContain('"unlimited"');
  });

  it('refuses the retired approvalThresholds and approvalTimeoutHours and says where they went', () => {
    // Act
    const error = failure(() =>
      resolveStageConfig('dev', {
        dev: {
          modelId: MODEL,
          approvalThresholds: { autoApproveLimit: '1000.00', controllerThreshold: '50000.00' },
          approvalTimeoutHours: 72,
        },
      }),
    );

    // Assess
    expect(error.code).toBe('INVALID_SETTING');
    expect(error.message).toContain('remove context "stages.dev.approvalThresholds" from cdk.json');
    expect(error.message).toContain('remove context "stages.dev.approvalTimeoutHours" from cdk.json');
    expect(error.message).toContain('statemachines/policies/ap-invoice.json');
  });

  it('runs prod isolated and dev public by default', () => {
    // Prepare
    const stages = shippedContext().stages;

    // Act
    const prod = resolveStageConfig('prod', stages);
    const dev = resolveStageConfig('dev', stages);

    // Assess
    expect(prod.network.mode).toBe('isolated');
    expect(prod.network.gatewayPrefixLists).toEqual({
      s3: expect.stringMatching(/^pl-/),
      dynamodb: expect.stringMatching(/^pl-/),
    });
    expect(dev.network).toEqual({ mode: 'public' });
  });

  it('refuses isolated mode without the gateway prefix lists, and says how to find them', () => {
    // Act
    const error = failure(() =>
      resolveStageConfig('prod', { prod: { modelId: MODEL, network: { mode: 'isolated' } } }),
    );
    const badMode = failure(() =>
      resolveStageConfig('dev', { dev: { modelId: MODEL, network: { mode: 'open' } } }),
    );

    // Assess
    expect(error.code).toBe('INVALID_NETWORK');
    expect(error.message).toContain('stages.prod.network.gatewayPrefixLists');
    expect(error.message).toContain('describe-managed-prefix-lists');
    expect(badMode.code).toBe('INVALID_NETWORK');
  });

  it.each([
    'global.anthropic.claude-sonnet-4-5-20250929-v1:0',
    'arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.anthropic.claude-sonnet-4-5-20250929-v1:0',
  ])('refuses the global inference profile %s at synth', (modelId) => {
    // Act
    const error = failure(() => resolveStageConfig('dev', { dev: { modelId } }));

    // Assess
    expect(error.code).toBe('INVALID_MODEL');
    expect(error.message).toContain('stages.dev.modelId');
  });

  it('grants a geographic profile its listed regions, refusing regions outside its geography', () => {
    // Act
    const defaults = resolveStageConfig('dev', { dev: { modelId: MODEL } });
    const listed = resolveStageConfig('dev', {
      dev: { modelId: MODEL, modelRegions: ['us-east-1', 'us-west-2'] },
    });
    const outside = failure(() =>
      resolveStageConfig('dev', { dev: { modelId: MODEL, modelRegions: ['us-east-1', 'eu-west-1'] } }),
    );
    const inRegion = resolveStageConfig('dev', {
      dev: { modelId: 'anthropic.claude-sonnet-4-5-20250929-v1:0' },
    });

    // Assess
    expect(defaults.modelRegions).toEqual(['us-east-1', 'us-east-2', 'us-west-2']);
    expect(listed.modelRegions).toEqual(['us-east-1', 'us-west-2']);
    expect(outside.code).toBe('INVALID_MODEL');
    expect(outside.message).toContain('stages.dev.modelRegions');
    expect(inRegion.modelRegions).toBeUndefined();
  });

  it('accepts a guardrail with a published version only', () => {
    // Act
    const config = resolveStageConfig('dev', {
      dev: { modelId: MODEL, guardrail: { id: 'gr7abc123', version: '3' } },
    });
    const draft = failure(() =>
      resolveStageConfig('dev', {
        dev: { modelId: MODEL, guardrail: { id: 'gr7abc123', version: 'DRAFT' } },
      }),
    );

    // Assess
    expect(config.guardrail).toEqual({ id: 'gr7abc123', version: '3' });
    expect(draft.code).toBe('INVALID_MODEL');
    expect(draft.message).toContain('stages.dev.guardrail');
  });

  it('accepts SAML and OIDC federation and refuses a provider without its metadata', () => {
    // Prepare
    const federation = {
      domainPrefix: 'acme-finance',
      callbackUrls: ['https://finance.acme.example/callback'],
      providers: [
        { type: 'SAML', name: 'AcmeEntra', metadataUrl: 'https://login.acme.example/federationmetadata.xml' },
        {
          type: 'OIDC',
          name: 'AcmeOkta',
          issuerUrl: 'https://acme.okta.example',
          clientId: 'tollgate',
          clientSecretName: 'tollgate/okta-client-secret',
        },
      ],
    };

    // Act
    const config = resolveStageConfig('dev', { dev: { modelId: MODEL, federation } });
    const broken = failure(() =>
      resolveStageConfig('dev', {
        dev: {
          modelId: MODEL,
          federation: { ...federation, providers: [{ type: 'SAML', name: 'AcmeEntra' }] },
        },
      }),
    );

    // Assess
    expect(config.federation?.providers.map((p) => p.type)).toEqual(['SAML', 'OIDC']);
    expect(config.federation?.logoutUrls).toEqual(federation.callbackUrls);
    expect(broken.code).toBe('INVALID_FEDERATION');
    expect(broken.message).toContain('stages.dev.federation.providers[0].metadataUrl');
  });

  it('accepts a SIEM log subscription and asks for the role a stream destination needs', () => {
    // Act
    const destination = resolveStageConfig('dev', {
      dev: {
        modelId: MODEL,
        logSubscription: { destinationArn: 'arn:aws:logs:us-east-1:210987654321:destination:siem' },
      },
    });
    const stream = failure(() =>
      resolveStageConfig('dev', {
        dev: {
          modelId: MODEL,
          logSubscription: { destinationArn: 'arn:aws:kinesis:us-east-1:210987654321:stream/siem' },
        },
      }),
    );

    // Assess
    expect(destination.logSubscription?.destinationArn).toContain(':destination:siem');
    expect(stream.code).toBe('INVALID_SETTING');
    expect(stream.message).toContain('stages.dev.logSubscription.roleArn');
  });

  it('takes an alarm e-mail address and refuses anything that is not one', () => {
    // Act
    const subscribed = resolveStageConfig('dev', {
      dev: { modelId: MODEL, alarmEmail: 'ap-oncall@example.com' },
    });
    const unsubscribed = resolveStageConfig('dev', { dev: { modelId: MODEL } });
    const bad = failure(() =>
      resolveStageConfig('dev', { dev: { modelId: MODEL, alarmEmail: 'ap-oncall at example' } }),
    );

    // Assess
    expect(subscribed.alarmEmail).toBe('ap-oncall@example.com');
    expect(unsubscribed.alarmEmail).toBeUndefined();
    expect(bad.code).toBe('INVALID_SETTING');
    expect(bad.message).toContain('stages.dev.alarmEmail');
  });
});
