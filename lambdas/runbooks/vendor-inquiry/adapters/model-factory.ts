import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { MODEL_PROVIDER_ENV } from '#platform/aws/resource-env.ts';
import { converseSettings } from '#platform/model/adapters/bedrock-guardrail.ts';
import type { InquiryModel } from '#runbooks/vendor-inquiry/core/model.ts';
import { BedrockInquiryModel } from './bedrock-model.ts';
import { LocalInquiryModel } from './local-model.ts';

let model: InquiryModel | undefined;

/** Bedrock with the stage's model and guardrail as the binder set them; the deterministic local model in local mode. */
export function inquiryModel(): InquiryModel {
  if (model) return model;
  if (process.env[MODEL_PROVIDER_ENV] === 'local') {
    model = new LocalInquiryModel();
  } else {
    const { modelId, guardrailConfig } = converseSettings();
    model = new BedrockInquiryModel(new BedrockRuntimeClient({}), {
      modelId,
      ...(guardrailConfig
        ? {
            guardrail: { id: guardrailConfig.guardrailIdentifier, version: guardrailConfig.guardrailVersion },
          }
        : {}),
    });
  }
  return model;
}
