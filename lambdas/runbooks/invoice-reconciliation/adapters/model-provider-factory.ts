import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { MODEL_PROVIDER_ENV } from '#platform/aws/resource-env.ts';
import { converseSettings } from '#platform/model/adapters/bedrock-guardrail.ts';
import type { ModelProvider } from '#runbooks/invoice-reconciliation/core/model-provider.ts';
import { BedrockModelProvider } from './bedrock-model.ts';
import { LocalModelProvider } from './local-model.ts';

let provider: ModelProvider | undefined;

/** Bedrock with the stage's model and guardrail as the binder set them; the deterministic local model in local mode. */
export function modelProvider(): ModelProvider {
  if (provider) return provider;
  if (process.env[MODEL_PROVIDER_ENV] === 'local') {
    provider = new LocalModelProvider();
  } else {
    const { modelId, guardrailConfig } = converseSettings();
    provider = new BedrockModelProvider(new BedrockRuntimeClient({}), {
      modelId,
      ...(guardrailConfig
        ? {
            guardrail: { id: guardrailConfig.guardrailIdentifier, version: guardrailConfig.guardrailVersion },
          }
        : {}),
    });
  }
  return provider;
}
