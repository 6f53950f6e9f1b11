import { AsyncLocalStorage } from 'node:async_hooks';
import { dynamoDb } from '#platform/aws/dynamodb-client.ts';
import { s3 } from '#platform/aws/s3-client.ts';
import { FunctionHost } from '../local/function-host.ts';

/** What the local stack's functions asked of AWS while counted: invocations, DynamoDB capacity, S3 calls. */
export interface AwsUsage {
  readonly invocations: Map<string, { count: number; ms: number; billedMs: number }>;
  readonly dynamo: { readUnits: number; writeUnits: number; calls: number; unmeasured: number };
  readonly s3Calls: { get: number; put: number };
}

type Capacity = { CapacityUnits?: number; ReadCapacityUnits?: number; WriteCapacityUnits?: number };

/**
 * Counts, for the benches, what each local function invocation costs: it wraps the function
 * host (which function is running) and the shared DynamoDB and S3 clients (ReturnConsumedCapacity
 * on every call). `counted(functionId)` says which invocations and calls count.
 */
export function measureAwsUsage(counted: (functionId: string) => boolean): AwsUsage {
  const usage: AwsUsage = {
    invocations: new Map(),
    dynamo: { readUnits: 0, writeUnits: 0, calls: 0, unmeasured: 0 },
    s3Calls: { get: 0, put: 0 },
  };
  const current = new AsyncLocalStorage<string>();
  const inCountedFunction = () => {
    const fn = current.getStore();
    return fn !== undefined && counted(fn);
  };

  const invoke = FunctionHost.prototype.invoke;
  FunctionHost.prototype.invoke = function (this: FunctionHost, functionId: string, event: unknown) {
    const t0 = performance.now();
    return current
      .run(functionId, () => invoke.call(this, functionId, event))
      .finally(() => {
        if (!counted(functionId)) return;
        const ms = performance.now() - t0;
        const entry = usage.invocations.get(functionId) ?? { count: 0, ms: 0, billedMs: 0 };
        entry.count += 1;
        entry.ms += ms;
        entry.billedMs += Math.ceil(ms);
        usage.invocations.set(functionId, entry);
      });
  };

  dynamoDb.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      const writes = /Put|Update|Delete|Write/.test(context.commandName ?? '');
      input.ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      if (!inCountedFunction()) return result;
      usage.dynamo.calls += 1;
      const consumed = (result.output as { ConsumedCapacity?: Capacity | Capacity[] }).ConsumedCapacity;
      const list = consumed === undefined ? [] : [consumed].flat();
      if (list.length === 0) usage.dynamo.unmeasured += 1;
      for (const c of list) {
        if (c.ReadCapacityUnits || c.WriteCapacityUnits) {
          usage.dynamo.readUnits += c.ReadCapacityUnits ?? 0;
          usage.dynamo.writeUnits += c.WriteCapacityUnits ?? 0;
        } else if (writes) usage.dynamo.writeUnits += c.CapacityUnits ?? 0;
        else usage.dynamo.readUnits += c.CapacityUnits ?? 0;
      }
      return result;
    },
    { step: 'initialize', name: 'benchCapacityCounter' },
  );
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      if (inCountedFunction()) {
        if (context.commandName === 'GetObjectCommand') usage.s3Calls.get += 1;
        if (context.commandName === 'PutObjectCommand') usage.s3Calls.put += 1;
      }
      return next(args);
    },
    { step: 'initialize', name: 'benchS3Counter' },
  );
  return usage;
}
