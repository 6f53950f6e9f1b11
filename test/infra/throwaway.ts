import { App, Stack } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { FunctionDefinition } from '../../lib/catalog.ts';
import { ActionFunction } from '../../lib/constructs/action-function.ts';
import { PROJECT_ROOT } from '../../lib/project-root.ts';
import { shippedContext } from './synthesize.ts';

/** A bare stack with the shipped feature flags, for testing one construct at a time. */
export function throwawayStack(): Stack {
  const app = new App({ context: { ...shippedContext(), 'aws:cdk:bundling-stacks': [] } });
  return new Stack(app, 'Throwaway');
}

/** An action function with no grants yet, built from `definition` under `projectRoot`. */
export function bareFunction(
  stack: Stack,
  definition: FunctionDefinition,
  projectRoot: string = PROJECT_ROOT,
): ActionFunction {
  return new ActionFunction(stack, definition.id, {
    definition: { ...definition, tables: {} },
    stageName: 'test',
    logRetentionDays: 1,
    logsKey: new Key(stack, `${definition.id}LogsKey`, { enableKeyRotation: true }),
    projectRoot,
  });
}
