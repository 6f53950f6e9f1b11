import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { resolveStageConfig } from '../../lib/config/stage-config.ts';
import { PROJECT_ROOT } from '../../lib/project-root.ts';
import { TollgateStack } from '../../lib/tollgate-stack.ts';

/** The context exactly as cdk.json ships it: stages and feature flags. */
export function shippedContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return cdkJson.context;
}

export interface SynthesizedStage {
  readonly stack: TollgateStack;
  readonly template: Template;
}

export interface SynthesizedApp {
  readonly app: App;
  readonly dev: SynthesizedStage;
  readonly prod: SynthesizedStage;
}

/**
 * Both shipped stages in one app, without running esbuild: the templates do not depend on
 * the bundle's content, and skipping it keeps a test file's synth under a few seconds.
 */
export function synthesizeShippedStages(): SynthesizedApp {
  const context = shippedContext();
  const app = new App({ context: { ...context, 'aws:cdk:bundling-stacks': [] } });
  const stages = context.stages;
  const build = (stageName: string): TollgateStack =>
    new TollgateStack(app, `Tollgate-${stageName}`, { config: resolveStageConfig(stageName, stages) });
  const dev = build('dev');
  const prod = build('prod');
  return {
    app,
    dev: { stack: dev, template: Template.fromStack(dev) },
    prod: { stack: prod, template: Template.fromStack(prod) },
  };
}

type PolicyStatement = { Action: string | string[]; Resource: unknown };
export type TemplateResources = Record<string, { Properties: Record<string, any> }>;

/** Every action the role of `functionId` is allowed, from its inline policies in `template`. */
export function actionsOf(template: Template, functionId: string): string[] {
  const policies = template.findResources('AWS::IAM::Policy') as TemplateResources;
  return Object.entries(policies)
    .filter(([logicalId]) => logicalId.startsWith(functionId))
    .flatMap(([, policy]) =>
      (policy.Properties.PolicyDocument.Statement as PolicyStatement[]).flatMap((s) => [s.Action].flat()),
    );
}
