import {
  GUARDRAIL_ID_ENV,
  GUARDRAIL_VERSION_ENV,
  MODEL_ID_ENV,
  requireEnv,
} from '#platform/aws/resource-env.ts';

/** The `guardrailConfig` of a Converse request, or none when the stage configures no guardrail. */
export interface GuardrailConfiguration {
  readonly guardrailIdentifier: string;
  readonly guardrailVersion: string;
  readonly trace: 'enabled';
}

/**
 * What every Converse call must carry: the bound model id, and the guardrail when the stage
 * has one (IAM refuses InvokeModel without it, so leaving it off fails rather than bypasses).
 */
export function converseSettings(): { modelId: string; guardrailConfig?: GuardrailConfiguration } {
  const modelId = requireEnv(MODEL_ID_ENV);
  const guardrailIdentifier = process.env[GUARDRAIL_ID_ENV];
  if (guardrailIdentifier === undefined || guardrailIdentifier === '') return { modelId };
  return {
    modelId,
    guardrailConfig: {
      guardrailIdentifier,
      guardrailVersion: requireEnv(GUARDRAIL_VERSION_ENV),
      trace: 'enabled',
    },
  };
}
