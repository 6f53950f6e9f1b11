import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import { catalogRunbooks, functionById } from '../lib/catalog.ts';
import { PROJECT_ROOT } from '../lib/project-root.ts';
import { bindPlaceholders, type LoadedRunbook, loadRunbook } from '../lib/runbook-definition.ts';
import { type FunctionHost, LOCAL_ACCOUNT, LOCAL_REGION, localFunctionArn } from './function-host.ts';

type Status = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

interface HistoryEvent {
  readonly timestamp: string;
  readonly type: string;
  readonly state?: string;
  readonly error?: string;
}

export interface LocalExecution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  runbookVersion: string;
  status: Status;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  startDate: string;
  stopDate?: string;
  history: HistoryEvent[];
}

interface LocalStateMachine {
  readonly arn: string;
  readonly runbook: LoadedRunbook;
  readonly machine: StateMachine;
  readonly taskFunctions: Readonly<Record<string, TaskBinding>>;
}

interface TaskBinding {
  readonly functionId: string;
  readonly waitForTaskToken: boolean;
}

interface PendingTask {
  readonly executionArn: string;
  readonly stateName: string;
  resolve(output: unknown): void;
  reject(error: Error): void;
}

/** The engine does not provide `$$.Task.Token`; each execution gets a marker the override swaps for a real token. */
const TOKEN_MARKER = 'tollgate-local-task-token';

/** A Step Functions API error, answered with the `__type` the AWS SDK turns into an exception name. */
class ServiceError extends Error {
  readonly type: string;
  constructor(type: string, message: string) {
    super(message);
    this.type = type;
  }
}

export function localStateMachineArn(runbook: string): string {
  return `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:tollgate-local-${runbook}`;
}

/**
 * The local runbook engine: executes the same `statemachines/*.asl.json` the stack deploys
 * (loaded and version-stamped by the same loader), dispatches each Task to the handler module
 * its Lambda runs, keeps executions in the data folder, and answers the Step Functions JSON
 * API so handlers reach it through AWS_ENDPOINT_URL_SFN.
 */
export class LocalStepFunctions {
  private readonly machines = new Map<string, LocalStateMachine>();
  private readonly executions = new Map<string, LocalExecution>();
  private readonly running = new Map<string, { abort: () => void; done: Promise<void> }>();
  private server: Server | undefined;
  /** Open task tokens of `.waitForTaskToken` states: settled by SendTaskSuccess / SendTaskFailure. */
  private readonly tokens = new Map<string, PendingTask>();
  private readonly host: FunctionHost;
  private readonly dir: string;

  constructor(host: FunctionHost, dir: string) {
    this.host = host;
    this.dir = dir;
    mkdirSync(dir, { recursive: true });
    for (const definition of catalogRunbooks()) {
      const runbook = loadRunbook(PROJECT_ROOT, definition);
      const arns = Object.fromEntries(
        Object.entries(definition.tasks).map(([placeholder, fnId]) => [
          placeholder,
          localFunctionArn(functionById(fnId).id),
        ]),
      );
      const bound = bindPlaceholders(runbook, arns);
      const taskFunctions: Record<string, TaskBinding> = {};
      collectTasks(bound.States as Record<string, unknown>, (stateName, resource, parameters) => {
        const arn = resource.startsWith('arn:aws:states:::lambda:invoke')
          ? String(parameters?.FunctionName ?? '')
          : resource;
        const fnId = host.functionIdForArn(arn);
        if (!fnId)
          throw new Error(
            `Runbook ${definition.name}: Task "${stateName}" calls ${arn}, which no catalog function serves locally.`,
          );
        taskFunctions[stateName] = {
          functionId: fnId,
          waitForTaskToken: resource.endsWith('.waitForTaskToken'),
        };
      });
      adaptTimeoutPaths(bound.States as Record<string, unknown>);
      const machine = new StateMachine(bound as never, {
        validationOptions: { checkArn: true, checkPaths: true },
      });
      const arn = localStateMachineArn(definition.name);
      this.machines.set(arn, { arn, runbook, machine, taskFunctions });
    }
    this.loadExecutions();
  }

  runbookVersions(): Readonly<Record<string, string>> {
    return Object.fromEntries([...this.machines.values()].map((m) => [m.runbook.name, m.runbook.version]));
  }

  stateMachineArns(): Readonly<Record<string, string>> {
    return Object.fromEntries([...this.machines.values()].map((m) => [m.runbook.name, m.arn]));
  }

  /** StartExecution semantics of a Standard workflow: same name and input while running = the same execution. */
  startExecution(stateMachineArn: string, name: string, input: string): LocalExecution {
    const machine = this.machines.get(stateMachineArn);
    if (!machine)
      throw new ServiceError(
        'StateMachineDoesNotExist',
        `State Machine Does Not Exist: '${stateMachineArn}'`,
      );
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) throw new ServiceError('InvalidName', `Invalid Name: '${name}'`);
    let parsedInput: unknown;
    try {
      parsedInput = JSON.parse(input);
    } catch {
      throw new ServiceError('InvalidExecutionInput', 'Invalid execution input: not JSON');
    }
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === input) return existing;
      throw new ServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const execution: LocalExecution = {
      executionArn,
      stateMachineArn,
      name,
      runbookVersion: machine.runbook.version,
      status: 'RUNNING',
      input,
      startDate: new Date().toISOString(),
      history: [],
    };
    this.executions.set(executionArn, execution);
    this.persist(execution);
    this.run(machine, execution, parsedInput);
    return execution;
  }

  describeExecution(executionArn: string): LocalExecution {
    const execution = this.executions.get(executionArn);
    if (!execution)
      throw new ServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return execution;
  }

  stopExecution(executionArn: string, error?: string, cause?: string): LocalExecution {
    const execution = this.describeExecution(executionArn);
    if (execution.status === 'RUNNING') {
      this.running.get(executionArn)?.abort();
      this.finish(execution, 'ABORTED', { error, cause });
      // A task waiting for a person would otherwise hold the run (and a shutdown) until its timeout.
      this.closeTokens(executionArn, undefined, 'States.Aborted');
    }
    return execution;
  }

  /** Resolves when the execution has stopped (tests and the demo wait on it). */
  async waitFor(executionArn: string): Promise<LocalExecution> {
    await this.running.get(executionArn)?.done;
    return this.describeExecution(executionArn);
  }

  async listen(port: number): Promise<string> {
    this.server = createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(port, '127.0.0.1', resolve);
    });
    return `http://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    for (const execution of this.executions.values()) {
      if (execution.status === 'RUNNING')
        this.stopExecution(
          execution.executionArn,
          'Tollgate.LocalRuntimeStopped',
          'The local runtime stopped while this execution was running.',
        );
    }
    await Promise.allSettled([...this.running.values()].map((r) => r.done));
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private run(machine: LocalStateMachine, execution: LocalExecution, input: unknown): void {
    const marker = `${TOKEN_MARKER}:${execution.name}`;
    const taskResourceLocalHandlers = Object.fromEntries(
      Object.entries(machine.taskFunctions).map(([stateName, binding]) => [
        stateName,
        async (rawInput: unknown) => {
          const taskInput = withoutTimeoutKey(rawInput);
          if (binding.waitForTaskToken)
            return this.waitForTaskToken(execution, stateName, binding.functionId, taskInput, marker);
          const isInvokeIntegration =
            typeof taskInput === 'object' && taskInput !== null && 'FunctionName' in taskInput;
          if (!isInvokeIntegration) return this.host.invoke(binding.functionId, taskInput);
          const payload = await this.host.invoke(
            binding.functionId,
            (taskInput as { Payload?: unknown }).Payload,
          );
          return { StatusCode: 200, Payload: payload };
        },
      ]),
    );
    const name = execution.stateMachineArn.split(':').at(-1) ?? '';
    const handle = machine.machine.run(input as never, {
      noThrowOnAbort: true,
      context: {
        Execution: {
          Id: execution.executionArn,
          Name: execution.name,
          Input: input as never,
          StartTime: execution.startDate,
        },
        StateMachine: { Id: execution.stateMachineArn, Name: name },
        Task: { Token: marker },
      },
      overrides: { taskResourceLocalHandlers: taskResourceLocalHandlers as never },
    });
    const history = (async () => {
      for await (const event of handle.eventLogs) {
        const e = event as { type: string; timestamp: number; state?: { name?: string }; Error?: string };
        if (e.type === 'StateFailed' && e.state?.name) this.closeTokens(execution.executionArn, e.state.name);
        execution.history.push({
          timestamp: new Date(e.timestamp).toISOString(),
          type: e.type,
          ...(e.state?.name ? { state: e.state.name } : {}),
          ...(e.Error ? { error: e.Error } : {}),
        });
      }
    })();
    const done = handle.result
      .then((output) => {
        if (execution.status === 'RUNNING')
          this.finish(execution, 'SUCCEEDED', { output: JSON.stringify(output ?? null) });
      })
      .catch((error: { name?: string; message?: string; cause?: unknown }) => {
        if (execution.status !== 'RUNNING') return;
        const failure = failureOf(error);
        this.finish(execution, 'FAILED', failure);
      })
      .then(() => history.catch(() => undefined))
      .finally(() => {
        this.closeTokens(execution.executionArn);
        this.persist(execution);
        this.running.delete(execution.executionArn);
      });
    this.running.set(execution.executionArn, { abort: handle.abort, done });
  }

  /**
   * `.waitForTaskToken`: issue a real token in place of the marker, invoke the function with it,
   * then wait until SendTaskSuccess / SendTaskFailure settles it (or the state's timeout fires).
   */
  private async waitForTaskToken(
    execution: LocalExecution,
    stateName: string,
    functionId: string,
    taskInput: unknown,
    marker: string,
  ): Promise<unknown> {
    const token = randomBytes(48).toString('base64url');
    const input = JSON.parse(JSON.stringify(taskInput).replaceAll(marker, token)) as { Payload?: unknown };
    const settled = new Promise<unknown>((resolve, reject) => {
      this.tokens.set(token, { executionArn: execution.executionArn, stateName, resolve, reject });
    });
    try {
      await this.host.invoke(functionId, 'FunctionName' in input ? input.Payload : input);
    } catch (error) {
      this.tokens.delete(token);
      throw error;
    }
    return settled;
  }

  sendTaskSuccess(token: string, output: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(output);
    } catch {
      throw new ServiceError('InvalidOutput', 'Invalid output: not JSON');
    }
    this.takeToken(token).resolve(parsed);
  }

  sendTaskFailure(token: string, error = 'States.TaskFailed', cause = ''): void {
    this.takeToken(token).reject(Object.assign(new Error(cause), { name: error }));
  }

  private takeToken(token: string): PendingTask {
    const pending = this.tokens.get(token);
    if (!pending) {
      throw new ServiceError(
        'TaskTimedOut',
        'Task Timed Out: the token is unknown, already used, or its state timed out.',
      );
    }
    this.tokens.delete(token);
    return pending;
  }

  private closeTokens(executionArn: string, stateName?: string, rejectWith?: string): void {
    for (const [token, pending] of this.tokens) {
      if (
        pending.executionArn === executionArn &&
        (stateName === undefined || pending.stateName === stateName)
      ) {
        this.tokens.delete(token);
        if (rejectWith)
          pending.reject(Object.assign(new Error('The execution was stopped.'), { name: rejectWith }));
      }
    }
  }

  private finish(
    execution: LocalExecution,
    status: Status,
    detail: { output?: string; error?: string | undefined; cause?: string | undefined },
  ): void {
    execution.status = status;
    execution.stopDate = new Date().toISOString();
    if (detail.output !== undefined) execution.output = detail.output;
    if (detail.error !== undefined) execution.error = detail.error;
    if (detail.cause !== undefined) execution.cause = detail.cause;
    this.persist(execution);
  }

  private fileFor(execution: LocalExecution): string {
    return join(this.dir, `${execution.stateMachineArn.split(':').at(-1)}__${execution.name}.json`);
  }

  private persist(execution: LocalExecution): void {
    const file = this.fileFor(execution);
    writeFileSync(`${file}.tmp`, JSON.stringify(execution, null, 2));
    renameSync(`${file}.tmp`, file);
  }

  /** Executions survive restarts; one that was running when the runtime stopped is recorded as aborted. */
  private loadExecutions(): void {
    for (const file of readdirSync(this.dir).filter((f) => f.endsWith('.json'))) {
      const execution = JSON.parse(readFileSync(join(this.dir, file), 'utf8')) as LocalExecution;
      this.executions.set(execution.executionArn, execution);
      if (execution.status === 'RUNNING') {
        this.finish(execution, 'ABORTED', {
          error: 'Tollgate.LocalRuntimeStopped',
          cause: 'The local runtime stopped while this execution was running.',
        });
      }
    }
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(body));
    };
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = chunks.length
        ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, string>)
        : {};
      const action = String(req.headers['x-amz-target'] ?? '').replace('AWSStepFunctions.', '');
      switch (action) {
        case 'StartExecution': {
          const execution = this.startExecution(
            body.stateMachineArn ?? '',
            body.name ?? '',
            body.input ?? '{}',
          );
          return reply(200, {
            executionArn: execution.executionArn,
            startDate: Date.parse(execution.startDate) / 1000,
          });
        }
        case 'DescribeExecution':
          return reply(200, describeShape(this.describeExecution(body.executionArn ?? '')));
        case 'SendTaskSuccess':
          this.sendTaskSuccess(body.taskToken ?? '', body.output ?? 'null');
          return reply(200, {});
        case 'SendTaskFailure':
          this.sendTaskFailure(body.taskToken ?? '', body.error, body.cause);
          return reply(200, {});
        case 'StopExecution': {
          const execution = this.stopExecution(body.executionArn ?? '', body.error, body.cause);
          return reply(200, { stopDate: Date.parse(execution.stopDate ?? execution.startDate) / 1000 });
        }
        default:
          throw new ServiceError(
            'UnknownOperationException',
            `The local engine does not implement ${action || 'this operation'}.`,
          );
      }
    } catch (error) {
      if (error instanceof ServiceError) return reply(400, { __type: error.type, message: error.message });
      return reply(500, { __type: 'InternalFailure', message: (error as Error).message });
    }
  }
}

function describeShape(execution: LocalExecution) {
  return {
    executionArn: execution.executionArn,
    stateMachineArn: execution.stateMachineArn,
    name: execution.name,
    status: execution.status,
    startDate: Date.parse(execution.startDate) / 1000,
    ...(execution.stopDate ? { stopDate: Date.parse(execution.stopDate) / 1000 } : {}),
    input: execution.input,
    ...(execution.output !== undefined ? { output: execution.output } : {}),
    ...(execution.error !== undefined ? { error: execution.error } : {}),
    ...(execution.cause !== undefined ? { cause: execution.cause } : {}),
  };
}

/** The engine wraps the error that ended the run (a Fail state's Error/Cause, or an uncaught task error). */
function failureOf(error: { name?: string; message?: string; cause?: unknown }): {
  error: string;
  cause: string;
} {
  const inner = error.cause instanceof Error ? error.cause : error;
  const name = inner.name && inner.name !== 'Error' ? inner.name : 'States.Runtime';
  return { error: name, cause: inner.message ?? '' };
}

/** Where the local engine finds a Task's TimeoutSecondsPath value (see adaptTimeoutPaths). */
const TIMEOUT_KEY = '__tollgateTimeoutSeconds';

/**
 * Step Functions resolves TimeoutSecondsPath against the state's input; the local engine
 * resolves it against the effective input (after Parameters). Carrying the value through
 * Parameters under a reserved key gives the same timeout in both; the override drops the key.
 */
function adaptTimeoutPaths(states: Record<string, unknown>): void {
  for (const raw of Object.values(states)) {
    const state = raw as Record<string, unknown>;
    if (
      state.Type === 'Task' &&
      typeof state.TimeoutSecondsPath === 'string' &&
      typeof state.Parameters === 'object'
    ) {
      (state.Parameters as Record<string, unknown>)[`${TIMEOUT_KEY}.$`] = state.TimeoutSecondsPath;
      state.TimeoutSecondsPath = `$.${TIMEOUT_KEY}`;
    }
    if (state.Type === 'Parallel') {
      for (const branch of (state.Branches as { States: Record<string, unknown> }[]) ?? [])
        adaptTimeoutPaths(branch.States);
    }
    if (state.Type === 'Map') {
      const processor = (state.ItemProcessor ?? state.Iterator) as
        | { States: Record<string, unknown> }
        | undefined;
      if (processor) adaptTimeoutPaths(processor.States);
    }
  }
}

function withoutTimeoutKey(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || !(TIMEOUT_KEY in input)) return input;
  const { [TIMEOUT_KEY]: _dropped, ...rest } = input as Record<string, unknown>;
  return rest;
}

function collectTasks(
  states: Record<string, unknown>,
  visit: (stateName: string, resource: string, parameters: Record<string, unknown> | undefined) => void,
): void {
  for (const [name, raw] of Object.entries(states)) {
    const state = raw as Record<string, unknown>;
    if (state.Type === 'Task')
      visit(name, String(state.Resource), state.Parameters as Record<string, unknown> | undefined);
    if (state.Type === 'Parallel') {
      for (const branch of (state.Branches as { States: Record<string, unknown> }[]) ?? [])
        collectTasks(branch.States, visit);
    }
    if (state.Type === 'Map') {
      const processor = (state.ItemProcessor ?? state.Iterator) as
        | { States: Record<string, unknown> }
        | undefined;
      if (processor) collectTasks(processor.States, visit);
    }
  }
}
