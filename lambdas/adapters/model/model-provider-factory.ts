import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { ModelProvider } from '#core/model/model-provider.ts';
import { MODEL_PROVIDER_ENV, requireEnv } from '../resource-env.ts';
import { BedrockModelProvider } from './bedrock-model.ts';
import { LocalModelProvider } from './local-model.ts';

let provider: ModelProvider | undefined;

/** Bedrock with the stage's model and guardrail; the deterministic local model in local mode. */
export function modelProvider(): ModelProvider {
  if (provider) return provider;
  if (process.env[MODEL_PROVIDER_ENV] === 'local') {
    provider = new LocalModelProvider();
  } else {
    const guardrailId = process.env.BEDROCK_GUARDRAIL_ID;
    provider = new BedrockModelProvider(new BedrockRuntimeClient({}), {
      modelId: requireEnv('BEDROCK_MODEL_ID'),
      ...(guardrailId
        ? { guardrail: { id: guardrailId, version: requireEnv('BEDROCK_GUARDRAIL_VERSION') } }
        : {}),
    });
  }
  return provider;
}
