import { afterEach, describe, expect, it } from 'vitest';
import { GUARDRAIL_ID_ENV, GUARDRAIL_VERSION_ENV, MODEL_ID_ENV } from '#platform/aws/resource-env.ts';
import { converseSettings } from '#platform/model/adapters/bedrock-guardrail.ts';

const MODEL = 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0';

describe('converseSettings', () => {
  afterEach(() => {
    for (const name of [MODEL_ID_ENV, GUARDRAIL_ID_ENV, GUARDRAIL_VERSION_ENV]) delete process.env[name];
  });

  it('puts the bound guardrail on the Converse request', () => {
    // Prepare
    Object.assign(process.env, {
      [MODEL_ID_ENV]: MODEL,
      [GUARDRAIL_ID_ENV]: 'gr7abc123',
      [GUARDRAIL_VERSION_ENV]: '4',
    });

    // Act
    const settings = converseSettings();

    // Assess
    expect(settings).toEqual({
      modelId: MODEL,
      guardrailConfig: { guardrailIdentifier: 'gr7abc123', guardrailVersion: '4', trace: 'enabled' },
    });
  });

  it('sends no guardrail when the stage has none, and refuses to run without a bound model', () => {
    // Prepare
    process.env[MODEL_ID_ENV] = MODEL;

    // Act
    const settings = converseSettings();
    delete process.env[MODEL_ID_ENV];

    // Assess
    expect(settings).toEqual({ modelId: MODEL });
    expect(() => converseSettings()).toThrow(MODEL_ID_ENV);
  });
});
