import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { GUARDRAIL_ID_ENV, GUARDRAIL_VERSION_ENV, MODEL_ID_ENV } from '#platform/aws/resource-env.ts';
import { catalogFunctions, type FunctionDefinition } from '../../lib/catalog.ts';
import { ModelAccess, type ModelAccessProps } from '../../lib/constructs/model-access.ts';
import { synthesizeShippedStages } from './synthesize.ts';
import { bareFunction, throwawayStack } from './throwaway.ts';

interface Statement {
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const PROFILE = 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0';
const MODEL_READER: FunctionDefinition = {
  id: 'InvoiceReader',
  entry: 'lambdas/runbooks/deployment-check/handlers/read-probe.ts',
  description: 'Test-only: a function that reads invoices with the model.',
  tables: {},
  model: 'invoke',
};

/** One function bound to the model in a bare stack; its statements and environment. */
function bound(props: ModelAccessProps) {
  const stack = throwawayStack();
  const fn = bareFunction(stack, MODEL_READER);
  new ModelAccess(stack, 'Model', props).bindTo(fn);
  const template = Template.fromStack(stack);
  const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
  );
  const [lambda] = Object.values(template.findResources('AWS::Lambda::Function'));
  if (!lambda) throw new Error('The bound function is missing from the template.');
  const environment = (lambda.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
  const bedrock = statements.filter((s) => [s.Action].flat().some((action) => action.startsWith('bedrock:')));
  return { bedrock, environment };
}

describe('model binder', () => {
  it('grants InvokeModel on the inference profile and, through it only, on the model in its listed regions', () => {
    // Act
    const { bedrock, environment } = bound({ modelId: PROFILE, modelRegions: ['eu-west-1', 'eu-central-1'] });
    const text = JSON.stringify(bedrock);

    // Assess
    expect(bedrock.flatMap((s) => [s.Action].flat())).toEqual(['bedrock:InvokeModel', 'bedrock:InvokeModel']);
    expect(text).toContain(`:inference-profile/${PROFILE}`);
    expect(text).toContain(':bedrock:eu-west-1::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0');
    expect(text).toContain(
      ':bedrock:eu-central-1::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0',
    );
    const routed = bedrock.find((s) => JSON.stringify(s.Resource).includes('foundation-model'));
    expect(JSON.stringify(routed?.Condition?.StringEquals?.['bedrock:InferenceProfileArn'])).toContain(
      `:inference-profile/${PROFILE}`,
    );
    expect(environment[MODEL_ID_ENV]).toBe(PROFILE);
    expect(environment[GUARDRAIL_ID_ENV]).toBeUndefined();
  });

  it('names every Bedrock resource without a wildcard', () => {
    // Act
    const { bedrock } = bound({
      modelId: PROFILE,
      modelRegions: ['eu-west-1'],
      guardrail: { id: 'gr7abc123', version: '4' },
    });

    // Assess
    expect(bedrock.length).toBeGreaterThan(0);
    expect(JSON.stringify(bedrock.map((s) => [s.Action, s.Resource]))).not.toContain('*');
  });

  it('requires the guardrail on every InvokeModel grant and tells the function its id and version', () => {
    // Act
    const { bedrock, environment } = bound({
      modelId: PROFILE,
      modelRegions: ['eu-west-1'],
      guardrail: { id: 'gr7abc123', version: '4' },
    });
    const invokes = bedrock.filter((s) => [s.Action].flat().includes('bedrock:InvokeModel'));

    // Assess
    expect(invokes).toHaveLength(2);
    for (const statement of invokes) {
      expect(JSON.stringify(statement.Condition?.StringEquals?.['bedrock:GuardrailIdentifier'])).toContain(
        ':guardrail/gr7abc123:4',
      );
    }
    expect(bedrock.some((s) => [s.Action].flat().includes('bedrock:ApplyGuardrail'))).toBe(true);
    expect(environment).toMatchObject({ [GUARDRAIL_ID_ENV]: 'gr7abc123', [GUARDRAIL_VERSION_ENV]: '4' });
  });

  it('grants an in-region model on its own foundation-model ARN in the stack region', () => {
    // Act
    const { bedrock } = bound({ modelId: 'anthropic.claude-sonnet-4-5-20250929-v1:0' });

    // Assess
    expect(bedrock).toHaveLength(1);
    expect(JSON.stringify(bedrock[0]?.Resource)).toContain(
      '::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0',
    );
    expect(bedrock[0]?.Condition).toBeUndefined();
  });

  it('in the shipped stages, grants Bedrock only to catalog functions that declare model: invoke', () => {
    // Prepare
    const { prod } = synthesizeShippedStages();
    const invokers = catalogFunctions()
      .filter((definition) => definition.model === 'invoke')
      .map((definition) => definition.id);

    // Act
    const granted = Object.entries(prod.template.findResources('AWS::IAM::Policy'))
      .filter(([, policy]) => JSON.stringify(policy.Properties.PolicyDocument).includes('"bedrock:'))
      .map(([logicalId]) => logicalId);

    // Assess
    expect(granted.filter((logicalId) => !invokers.some((id) => logicalId.startsWith(`${id}Role`)))).toEqual(
      [],
    );
  });
});
