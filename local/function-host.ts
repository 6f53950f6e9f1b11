import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { catalogFunctions, type FunctionDefinition } from '../lib/catalog.ts';
import { PROJECT_ROOT } from '../lib/project-root.ts';

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '000000000000';

type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

export function localFunctionArn(functionId: string): string {
  return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:tollgate-local-${functionId}`;
}

/**
 * Runs the handler modules the Lambda functions run, in this process: the same file from the
 * catalog, its exported `handler`, a Lambda-shaped context and the function's timeout.
 */
export class FunctionHost {
  private readonly modules = new Map<string, Promise<LambdaHandler>>();

  functionIdForArn(arn: string): string | undefined {
    return catalogFunctions().find((fn) => localFunctionArn(fn.id) === arn || fn.id === arn)?.id;
  }

  async invoke(functionId: string, event: unknown): Promise<unknown> {
    const definition = catalogFunctions().find((fn) => fn.id === functionId);
    if (!definition)
      throw Object.assign(new Error(`No function ${functionId}`), {
        name: 'Lambda.ResourceNotFoundException',
      });
    const handler = await this.load(definition);
    const timeoutMs = (definition.timeoutSeconds ?? 30) * 1000;
    const deadline = Date.now() + timeoutMs;
    const context = lambdaContext(definition, deadline);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            Object.assign(new Error(`Task timed out after ${timeoutMs / 1000} seconds`), {
              name: 'Sandbox.Timedout',
            }),
          ),
        timeoutMs,
      );
    });
    try {
      // A JSON round trip, as the Lambda service serialises events and results.
      const result = await Promise.race([
        handler(JSON.parse(JSON.stringify(event ?? null)), context),
        timeout,
      ]);
      return result === undefined ? null : JSON.parse(JSON.stringify(result));
    } finally {
      clearTimeout(timer);
    }
  }

  private load(definition: FunctionDefinition): Promise<LambdaHandler> {
    let loaded = this.modules.get(definition.id);
    if (!loaded) {
      loaded = import(pathToFileURL(join(PROJECT_ROOT, definition.entry)).href).then(
        (mod: { handler?: unknown }) => {
          if (typeof mod.handler !== 'function')
            throw new Error(`${definition.entry} does not export a handler function.`);
          return mod.handler as LambdaHandler;
        },
      );
      this.modules.set(definition.id, loaded);
    }
    return loaded;
  }
}

function lambdaContext(definition: FunctionDefinition, deadline: number): Context {
  const functionName = `tollgate-local-${definition.id}`;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: localFunctionArn(definition.id),
    memoryLimitInMB: String(definition.memoryMb ?? 512),
    awsRequestId: randomUUID(),
    logGroupName: `/local/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
