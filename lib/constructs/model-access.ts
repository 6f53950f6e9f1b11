import { Stack } from 'aws-cdk-lib';
import { Grant, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { GUARDRAIL_ID_ENV, GUARDRAIL_VERSION_ENV, MODEL_ID_ENV } from '#platform/aws/resource-env.ts';
import { GEOGRAPHIC_PROFILES, type GuardrailSettings } from '../config/stage-config.ts';
import type { ActionFunction } from './action-function.ts';

export interface ModelAccessProps {
  /** Foundation model id (in-region) or geographic inference profile id. */
  readonly modelId: string;
  /** For an inference profile: the regions it routes to. */
  readonly modelRegions?: readonly string[];
  /** @default no guardrail */
  readonly guardrail?: GuardrailSettings;
}

/**
 * Who may call the model, on which ARNs: `bedrock:InvokeModel` (Converse uses it) on the
 * configured model or inference profile only, and for a profile on the foundation model in
 * its listed regions only when reached through that profile. With a guardrail, every grant
 * requires it, so a call that leaves it off is refused by IAM, not only by code.
 */
export class ModelAccess extends Construct {
  readonly modelId: string;
  /** The ARN a caller names: the foundation model, or the inference profile. */
  readonly invokedArn: string;
  /** Foundation-model ARNs reached through the profile (empty for an in-region model). */
  readonly routedModelArns: readonly string[];
  readonly guardrailArn: string | undefined;
  private readonly guardrail: GuardrailSettings | undefined;

  constructor(scope: Construct, id: string, props: ModelAccessProps) {
    super(scope, id);
    const { account, partition, region } = Stack.of(this);
    this.modelId = props.modelId;
    this.guardrail = props.guardrail;
    const prefix = props.modelId.split('.')[0] as string;
    const isProfile = GEOGRAPHIC_PROFILES[prefix] !== undefined;
    const foundationModel = (inRegion: string, model: string) =>
      `arn:${partition}:bedrock:${inRegion}::foundation-model/${model}`;
    if (isProfile) {
      const baseModel = props.modelId.slice(prefix.length + 1);
      this.invokedArn = `arn:${partition}:bedrock:${region}:${account}:inference-profile/${props.modelId}`;
      this.routedModelArns = (props.modelRegions ?? []).map((r) => foundationModel(r, baseModel));
      if (this.routedModelArns.length === 0) {
        throw new Error(`Inference profile ${props.modelId} needs the regions it routes to (modelRegions).`);
      }
    } else {
      this.invokedArn = foundationModel(region, props.modelId);
      this.routedModelArns = [];
    }
    this.guardrailArn = props.guardrail
      ? `arn:${partition}:bedrock:${region}:${account}:guardrail/${props.guardrail.id}`
      : undefined;
  }

  /** Every ARN a bound function may reach through Bedrock Runtime (for the VPC endpoint policy). */
  get resourceArns(): string[] {
    return [this.invokedArn, ...this.routedModelArns, ...(this.guardrailArn ? [this.guardrailArn] : [])];
  }

  /** Grants `fn` the scoped InvokeModel (and the guardrail) and tells it the model and guardrail ids. */
  bindTo(fn: ActionFunction): void {
    const guardrailCondition = this.guardrail
      ? { 'bedrock:GuardrailIdentifier': `${this.guardrailArn}:${this.guardrail.version}` }
      : undefined;
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['bedrock:InvokeModel'],
        resources: [this.invokedArn],
        ...(guardrailCondition ? { conditions: { StringEquals: guardrailCondition } } : {}),
      }),
    );
    if (this.routedModelArns.length > 0) {
      // The profile forwards the call to the model in one of its regions, in the caller's name.
      fn.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['bedrock:InvokeModel'],
          resources: [...this.routedModelArns],
          conditions: {
            StringEquals: { 'bedrock:InferenceProfileArn': this.invokedArn, ...(guardrailCondition ?? {}) },
          },
        }),
      );
    }
    fn.addEnvironment(MODEL_ID_ENV, this.modelId);
    if (this.guardrail && this.guardrailArn) {
      Grant.addToPrincipal({
        grantee: fn.role,
        actions: ['bedrock:ApplyGuardrail'],
        resourceArns: [this.guardrailArn],
      });
      fn.addEnvironment(GUARDRAIL_ID_ENV, this.guardrail.id);
      fn.addEnvironment(GUARDRAIL_VERSION_ENV, this.guardrail.version);
    }
  }
}
