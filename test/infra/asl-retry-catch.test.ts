import { describe, expect, it } from 'vitest';
import { TransientStoreError } from '#platform/core/errors.ts';
import { EvidenceStoreError } from '#platform/evidence/adapters/evidence-store-s3.ts';
import {
  EVIDENCE_STORE_ERROR,
  MODEL_RETRY,
  MODEL_TASK_ERRORS,
  MODEL_THROTTLED,
  type TaskRetryPolicy,
  TRANSIENT_RETRY,
  TRANSIENT_STORE_ERROR,
  TRANSIENT_TASK_ERRORS,
} from '#platform/runs/core/task-errors.ts';
import { ModelThrottledError } from '#runbooks/invoice-reconciliation/core/model-provider.ts';
import { catalogRunbooks, functionById, type RunbookDefinition } from '../../lib/catalog.ts';
import { PROJECT_ROOT } from '../../lib/project-root.ts';
import { loadRunbook } from '../../lib/runbook-definition.ts';

type Json = Record<string, unknown>;

/** Tells the checker which Tasks call the model, so they must also retry MODEL_TASK_ERRORS. */
type IsModelTask = (stateName: string, state: Json) => boolean;

const POLICY_FIELDS = [
  'IntervalSeconds',
  'MaxAttempts',
  'BackoffRate',
  'MaxDelaySeconds',
  'JitterStrategy',
] as const satisfies readonly (keyof TaskRetryPolicy)[];

/** The errors a retrier must list, the policy it must use, and that policy's name for the report. */
type RetryGroup = readonly [names: readonly string[], policy: TaskRetryPolicy, policyName: string];
const TRANSIENT_GROUP: RetryGroup = [TRANSIENT_TASK_ERRORS, TRANSIENT_RETRY, 'TRANSIENT_RETRY'];
const MODEL_GROUP: RetryGroup = [MODEL_TASK_ERRORS, MODEL_RETRY, 'MODEL_RETRY'];

/**
 * Every way the Tasks of an ASL definition (Parallel branches and Map processors included)
 * break the Retry/Catch rule, one line each; empty when every Task keeps it:
 * - Retry lists every TRANSIENT_TASK_ERRORS name (plus MODEL_TASK_ERRORS on a model Task),
 *   no other name, and the retrier Step Functions picks for each uses that group's policy
 *   (bounded MaxAttempts and MaxDelaySeconds, full jitter);
 * - Catch ends with `States.ALL` into a state of the same scope that keeps the run's state
 *   (ResultPath `$.…`); every Task of a scope routes there, and that failure-recording Task
 *   itself routes to a state that is no Task, so a failure while recording ends the run.
 */
function retryCatchProblems(definition: Json, isModelTask: IsModelTask): string[] {
  const problems: string[] = [];
  if (!isObject(definition.States)) return ['the definition has no "States" object'];
  for (const { prefix, states } of scopesOf(definition.States, '')) {
    const failureRoutes = new Map<string, string>();
    for (const [name, state] of Object.entries(states)) {
      if (!isObject(state) || state.Type !== 'Task') continue;
      const label = `${prefix}${name}`;
      problems.push(...retryProblems(label, state, isModelTask(name, state)));
      const catchProblems = catchProblemsOf(label, name, state, states);
      problems.push(...catchProblems.problems);
      if (catchProblems.next !== undefined) failureRoutes.set(name, catchProblems.next);
    }
    problems.push(...routeProblems(prefix, failureRoutes, states));
  }
  return problems;
}

function retryProblems(label: string, state: Json, isModel: boolean): string[] {
  const retriers = Array.isArray(state.Retry) ? state.Retry.filter(isObject) : [];
  if (retriers.length === 0) return [`${label}: no Retry`];
  const groups = isModel ? [TRANSIENT_GROUP, MODEL_GROUP] : [TRANSIENT_GROUP];
  const allowed = new Set(groups.flatMap(([names]) => names));
  const problems: string[] = [];
  for (const retrier of retriers) {
    for (const name of errorsOf(retrier)) {
      if (!allowed.has(name)) {
        const why = MODEL_TASK_ERRORS.includes(name) ? ' (its function does not call the model)' : '';
        problems.push(
          `${label}: retries "${name}", which is not a retried Task error in task-errors.ts${why}`,
        );
      }
    }
  }
  for (const [names, policy, policyName] of groups) {
    for (const name of names) {
      // Step Functions uses the first retrier that lists the error.
      const retrier = retriers.find((r) => errorsOf(r).includes(name));
      if (!retrier) {
        problems.push(`${label}: Retry does not cover "${name}"`);
        continue;
      }
      for (const field of POLICY_FIELDS) {
        if (retrier[field] !== policy[field]) {
          problems.push(
            `${label}: the retrier for "${name}" has ${field} ${JSON.stringify(retrier[field])}, ${policyName} has ${JSON.stringify(policy[field])}`,
          );
        }
      }
    }
  }
  return problems;
}

function catchProblemsOf(
  label: string,
  name: string,
  state: Json,
  states: Json,
): { problems: string[]; next?: string } {
  const catchers = Array.isArray(state.Catch) ? state.Catch.filter(isObject) : [];
  const last = catchers.at(-1);
  if (!last) return { problems: [`${label}: no Catch`] };
  const lastErrors = errorsOf(last);
  if (lastErrors.length !== 1 || lastErrors[0] !== 'States.ALL') {
    return { problems: [`${label}: the last catcher must catch exactly ["States.ALL"]`] };
  }
  const problems: string[] = [];
  const next = last.Next;
  if (typeof next !== 'string' || !(next in states)) {
    problems.push(
      `${label}: Catch on States.ALL goes to ${JSON.stringify(next)}, which is not a state beside it`,
    );
  } else if (next === name) {
    problems.push(`${label}: Catch on States.ALL goes back to the Task itself`);
  }
  if (typeof last.ResultPath !== 'string' || !last.ResultPath.startsWith('$.')) {
    problems.push(
      `${label}: Catch on States.ALL has ResultPath ${JSON.stringify(last.ResultPath)}; a "$."-path keeps the run's state beside the error`,
    );
  }
  for (const catcher of catchers.slice(0, -1)) {
    if (errorsOf(catcher).includes('States.ALL'))
      problems.push(`${label}: only the last catcher may catch States.ALL`);
    if (typeof catcher.Next !== 'string' || !(catcher.Next in states)) {
      problems.push(
        `${label}: a catcher goes to ${JSON.stringify(catcher.Next)}, which is not a state beside it`,
      );
    }
  }
  return problems.length === 0 && typeof next === 'string' ? { problems, next } : { problems };
}

/** One failure-recording state per scope; it must not hand its own failure to another Task. */
function routeProblems(prefix: string, routes: ReadonlyMap<string, string>, states: Json): string[] {
  const recorders = new Set([...routes.values()].filter((target) => routes.has(target)));
  const problems: string[] = [];
  const targets = new Set([...routes].filter(([task]) => !recorders.has(task)).map(([, target]) => target));
  if (targets.size > 1) {
    const listed = [...routes]
      .filter(([task]) => !recorders.has(task))
      .map(([task, target]) => `${task} → ${target}`)
      .join(', ');
    problems.push(`${prefix || 'top level'}: Tasks route States.ALL to different states (${listed})`);
  }
  for (const recorder of recorders) {
    const target = routes.get(recorder) as string;
    const targetState = states[target];
    if (isObject(targetState) && targetState.Type === 'Task') {
      problems.push(
        `${prefix}${recorder}: records failures, so its own Catch must end the run, not enter Task "${target}"`,
      );
    }
  }
  return problems;
}

function* scopesOf(states: Json, prefix: string): Generator<{ prefix: string; states: Json }> {
  yield { prefix, states };
  for (const [name, state] of Object.entries(states)) {
    if (!isObject(state)) continue;
    if (state.Type === 'Parallel' && Array.isArray(state.Branches)) {
      for (const [index, branch] of state.Branches.entries()) {
        if (isObject(branch) && isObject(branch.States))
          yield* scopesOf(branch.States, `${prefix}${name}/Branches[${index}]/`);
      }
    }
    if (state.Type === 'Map') {
      const key = isObject(state.ItemProcessor) ? 'ItemProcessor' : 'Iterator';
      const processor = state[key];
      if (isObject(processor) && isObject(processor.States))
        yield* scopesOf(processor.States, `${prefix}${name}/${key}/`);
    }
  }
}

function errorsOf(retrierOrCatcher: Json): string[] {
  const errors = retrierOrCatcher.ErrorEquals;
  return Array.isArray(errors) ? errors.filter((e): e is string => typeof e === 'string') : [];
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The `${Placeholder}` a Task invokes: its Resource, or the FunctionName of a Lambda integration. */
function placeholderOf(state: Json): string | undefined {
  const parameters = isObject(state.Parameters) ? state.Parameters : {};
  for (const candidate of [state.Resource, parameters.FunctionName]) {
    const match = typeof candidate === 'string' ? /^\$\{([A-Za-z][A-Za-z0-9]*)\}$/.exec(candidate) : null;
    if (match) return match[1];
  }
  return undefined;
}

/** A Task calls the model when the catalog function its placeholder binds to has `model: 'invoke'`. */
function modelTasksOf(runbook: RunbookDefinition): IsModelTask {
  return (_name, state) => {
    const placeholder = placeholderOf(state);
    const functionId = placeholder === undefined ? undefined : runbook.tasks[placeholder];
    return functionId !== undefined && functionById(functionId).model === 'invoke';
  };
}

function tasksIn(states: Json): [string, Json][] {
  return [...scopesOf(states, '')].flatMap(({ prefix, states: scope }) =>
    Object.entries(scope)
      .filter((entry): entry is [string, Json] => isObject(entry[1]) && entry[1].Type === 'Task')
      .map(([name, state]): [string, Json] => [`${prefix}${name}`, state]),
  );
}

describe('the retried error names', () => {
  it('are the names the error classes carry, which is what Step Functions matches', () => {
    expect(new TransientStoreError('').name).toBe(TRANSIENT_STORE_ERROR);
    expect(new EvidenceStoreError('').name).toBe(EVIDENCE_STORE_ERROR);
    expect(new ModelThrottledError('').name).toBe(MODEL_THROTTLED);
  });

  it('bound every retry policy', () => {
    for (const policy of [TRANSIENT_RETRY, MODEL_RETRY]) {
      expect(policy.MaxAttempts).toBeGreaterThan(0);
      expect(policy.MaxAttempts).toBeLessThanOrEqual(10);
      expect(policy.MaxDelaySeconds).toBeLessThanOrEqual(300);
      expect(policy.JitterStrategy).toBe('FULL');
    }
  });
});

describe.each(catalogRunbooks())('runbook $name', (runbook) => {
  const { definition } = loadRunbook(PROJECT_ROOT, runbook);
  const isModelTask = modelTasksOf(runbook);

  it('retries the transient Task errors and catches everything else on every Task', () => {
    expect(tasksIn(definition.States as Json).length).toBeGreaterThan(0);
    expect(retryCatchProblems(definition, isModelTask)).toEqual([]);
  });

  it('treats as model Tasks exactly the Tasks behind its model functions', () => {
    const modelFunctions = new Set(
      Object.values(runbook.tasks).filter((id) => functionById(id).model === 'invoke'),
    );
    const modelTaskFunctions = new Set(
      tasksIn(definition.States as Json)
        .filter(([name, state]) => isModelTask(name, state))
        .map(([, state]) => runbook.tasks[placeholderOf(state) as string]),
    );
    expect(modelTaskFunctions).toEqual(modelFunctions);
  });
});

describe('retryCatchProblems', () => {
  const retry = (names: readonly string[], policy: TaskRetryPolicy = TRANSIENT_RETRY) => ({
    ErrorEquals: [...names],
    ...policy,
  });
  const toRecord = [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'RecordFailure' }];
  const goodTask = (next: string) => ({
    Type: 'Task',
    Resource: 'arn:aws:lambda:us-east-1:123456789012:function:Step',
    Retry: [retry(TRANSIENT_TASK_ERRORS)],
    Catch: toRecord,
    Next: next,
  });
  const recordFailure = {
    Type: 'Task',
    Resource: 'arn:aws:lambda:us-east-1:123456789012:function:RecordFailure',
    Retry: [retry(TRANSIENT_TASK_ERRORS)],
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.recordError', Next: 'Failed' }],
    Next: 'Failed',
  };
  const asl = (states: Json) => ({
    StartAt: 'Step',
    States: { ...states, RecordFailure: recordFailure, Failed: { Type: 'Fail' }, Done: { Type: 'Succeed' } },
  });
  const noModel: IsModelTask = () => false;

  it('finds nothing when every Task keeps the rule', () => {
    expect(retryCatchProblems(asl({ Step: goodTask('Done') }), noModel)).toEqual([]);
  });

  it('reports a Task without Retry and a Task without Catch', () => {
    const { Retry: _retry, ...withoutRetry } = goodTask('Other');
    const { Catch: _catch, ...withoutCatch } = goodTask('Done');

    const problems = retryCatchProblems(asl({ Step: withoutRetry, Other: withoutCatch }), noModel);

    expect(problems).toEqual(['Step: no Retry', 'Other: no Catch']);
  });

  it('reports Tasks nested in Parallel branches and Map processors', () => {
    const { Retry: _retry, ...withoutRetry } = goodTask('Done');
    const inner = {
      StartAt: 'Inner',
      States: { Inner: { ...withoutRetry, Catch: [], End: true } },
    };
    const definition = asl({
      Step: { Type: 'Parallel', Branches: [inner], Next: 'Each' },
      Each: { Type: 'Map', ItemProcessor: inner, Next: 'Old' },
      Old: { Type: 'Map', Iterator: inner, Next: 'Done' },
    });

    const problems = retryCatchProblems(definition, noModel);

    expect(problems).toEqual([
      'Step/Branches[0]/Inner: no Retry',
      'Step/Branches[0]/Inner: no Catch',
      'Each/ItemProcessor/Inner: no Retry',
      'Each/ItemProcessor/Inner: no Catch',
      'Old/Iterator/Inner: no Retry',
      'Old/Iterator/Inner: no Catch',
    ]);
  });

  it('reports a missing transient error, an unbounded retrier and a model Task that does not retry throttling', () => {
    const { MaxDelaySeconds: _delay, ...uncapped } = TRANSIENT_RETRY;
    const step = {
      ...goodTask('Done'),
      Retry: [{ ErrorEquals: TRANSIENT_TASK_ERRORS.filter((e) => e !== EVIDENCE_STORE_ERROR), ...uncapped }],
    };

    const problems = retryCatchProblems(asl({ Step: step }), (name) => name === 'Step');

    expect(problems).toContain(`Step: Retry does not cover "${EVIDENCE_STORE_ERROR}"`);
    expect(problems).toContain(`Step: Retry does not cover "${MODEL_THROTTLED}"`);
    expect(problems).toContain(
      `Step: the retrier for "${TRANSIENT_STORE_ERROR}" has MaxDelaySeconds undefined, TRANSIENT_RETRY has 20`,
    );
  });

  it('reports a retried name outside task-errors.ts, and model throttling on a Task without the model', () => {
    const step = {
      ...goodTask('Done'),
      Retry: [retry([MODEL_THROTTLED], MODEL_RETRY), retry([...TRANSIENT_TASK_ERRORS, 'States.ALL'])],
    };

    const problems = retryCatchProblems(asl({ Step: step }), noModel);

    expect(problems).toEqual([
      `Step: retries "${MODEL_THROTTLED}", which is not a retried Task error in task-errors.ts (its function does not call the model)`,
      'Step: retries "States.ALL", which is not a retried Task error in task-errors.ts',
    ]);
  });

  it('reports a Catch that is not last on States.ALL, goes nowhere, or loses the run state', () => {
    const definition = asl({
      Step: { ...goodTask('Other'), Catch: [{ ErrorEquals: ['States.Timeout'], Next: 'Done' }] },
      Other: {
        ...goodTask('Third'),
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'Nowhere' }],
      },
      Third: { ...goodTask('Done'), Catch: [{ ErrorEquals: ['States.ALL'], Next: 'RecordFailure' }] },
    });

    const problems = retryCatchProblems(definition, noModel);

    expect(problems).toEqual([
      'Step: the last catcher must catch exactly ["States.ALL"]',
      'Other: Catch on States.ALL goes to "Nowhere", which is not a state beside it',
      `Third: Catch on States.ALL has ResultPath undefined; a "$."-path keeps the run's state beside the error`,
    ]);
  });

  it('reports Tasks that route failures to different states', () => {
    const definition = asl({
      Step: { ...goodTask('Other'), Catch: [{ ...toRecord[0], Next: 'Failed' }] },
      Other: goodTask('Done'),
    });

    const problems = retryCatchProblems(definition, noModel);

    expect(problems).toEqual([
      'top level: Tasks route States.ALL to different states (Step → Failed, Other → RecordFailure)',
    ]);
  });

  it('reports a failure-recording Task that hands its own failure to another Task', () => {
    const definition = asl({
      Step: goodTask('Done'),
      Cleanup: { ...goodTask('Failed'), Catch: [{ ...toRecord[0], Next: 'Failed' }] },
    });
    (definition.States.RecordFailure as Json).Catch = [
      { ErrorEquals: ['States.ALL'], ResultPath: '$.recordError', Next: 'Cleanup' },
    ];

    const problems = retryCatchProblems(definition, noModel);

    expect(problems).toEqual([
      'RecordFailure: records failures, so its own Catch must end the run, not enter Task "Cleanup"',
    ]);
  });
});
