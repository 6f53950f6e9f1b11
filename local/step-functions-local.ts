import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
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
  /** Why the engine did this (a resume after a restart, or why a run could not resume). */
  readonly detail?: string;
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
  /** What the engine runs: placeholders bound, timeout paths adapted; derived definitions start from it. */
  readonly definition: AslDefinition;
  readonly taskFunctions: Readonly<Record<string, TaskBinding>>;
}

interface AslDefinition {
  StartAt: string;
  States: Record<string, Record<string, unknown>>;
  [field: string]: unknown;
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

/**
 * Where a running execution is, kept beside its record (`<file>.checkpoint`) so a restarted
 * stack re-enters that state: the top-level state it last entered, that state's raw input
 * (before InputPath/Parameters, so the state runs exactly as it would have), and the task
 * token of a `.waitForTaskToken` state with what became of it.
 */
interface Checkpoint {
  readonly state: string;
  readonly enteredAt: string;
  /** Absent when over MAX_CHECKPOINT_INPUT_BYTES: such a run cannot resume, and says so. */
  readonly input?: unknown;
  readonly inputBytes: number;
  task?: WaitingTask;
}

interface WaitingTask {
  readonly state: string;
  readonly token: string;
  /** When the state times out: its timeout counted from when the token was issued. */
  readonly deadline: string;
  /** The function that hands the token on (e.g. to the work room) has returned. */
  invoked: boolean;
  /** SendTaskSuccess / SendTaskFailure was accepted: kept before the caller hears 200, so a kill cannot lose it. */
  outcome?: { readonly output: unknown } | { readonly error: string; readonly cause: string };
}

/** Step Functions' own limit on a state's input; larger inputs are not kept for a restart. */
const MAX_CHECKPOINT_INPUT_BYTES = 256 * 1024;

/** The engine's timeout of a Task state without TimeoutSeconds(Path) (aws-local-stepfunctions' default). */
const ENGINE_DEFAULT_TASK_TIMEOUT_SECONDS = 60;

const UNRESUMABLE = 'LOCAL_RESTART_UNRESUMABLE';

const ENGINE_OPTIONS = { validationOptions: { checkArn: true, checkPaths: true } } as const;

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
  /** The checkpoint of every running execution, as last written to the data folder. */
  private readonly checkpoints = new Map<string, Checkpoint>();
  /** Runs a clean stop left where they were: nothing more is recorded for them by this process. */
  private readonly suspended = new Set<string>();
  /** Runs found interrupted at start, resumed once the handlers can reach the other local servers. */
  private readonly interrupted: LocalExecution[] = [];
  private resumeScheduled = false;
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
      const bound = bindPlaceholders(runbook, arns) as unknown as AslDefinition;
      const taskFunctions: Record<string, TaskBinding> = {};
      collectTasks(bound.States, (stateName, resource, parameters) => {
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
      adaptTimeoutPaths(bound.States);
      const machine = new StateMachine(bound as never, ENGINE_OPTIONS);
      const arn = localStateMachineArn(definition.name);
      this.machines.set(arn, { arn, runbook, machine, definition: bound, taskFunctions });
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
    // Not before the caller has put the handlers' environment in place, which it does as soon as this resolves.
    setImmediate(() => this.resumeInterrupted());
    return `http://127.0.0.1:${port}`;
  }

  /**
   * Re-enters every run the last stop or crash interrupted, at the state it was in, with that
   * state's saved input and (for a waiting task) its saved token. Runs once; later calls do nothing.
   */
  resumeInterrupted(): void {
    if (this.resumeScheduled) return;
    this.resumeScheduled = true;
    for (const execution of this.interrupted.splice(0)) {
      const machine = this.machines.get(execution.stateMachineArn);
      if (!machine || execution.status !== 'RUNNING') continue;
      const checkpoint = this.checkpoints.get(execution.executionArn);
      const state = checkpoint?.state ?? machine.definition.StartAt;
      this.record(execution, {
        type: 'ExecutionResumed',
        state,
        detail:
          checkpoint?.task?.state === state
            ? `The local stack restarted; the run waits again in ${state} with the task token it had.`
            : `The local stack restarted; the run re-enters ${state} with the input it entered with.`,
      });
      try {
        this.run(machine, execution, checkpoint ? checkpoint.input : JSON.parse(execution.input), {
          from: checkpoint,
        });
      } catch (error) {
        this.abortUnresumable(
          execution,
          `a definition starting at "${state}" is invalid: ${(error as Error).message}`,
        );
      }
    }
  }

  /** A clean stop leaves running executions where they are, to be resumed by the next start. */
  async close(): Promise<void> {
    for (const [executionArn, run] of this.running) {
      this.suspended.add(executionArn);
      run.abort();
    }
    this.tokens.clear();
    await Promise.allSettled([...this.running.values()].map((r) => r.done));
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Runs an execution from its start, or, with `resume`, from the checkpoint a restart found (none: from the start). */
  private run(
    machine: LocalStateMachine,
    execution: LocalExecution,
    input: unknown,
    resume?: { readonly from: Checkpoint | undefined },
  ): void {
    const executionArn = execution.executionArn;
    const resuming = resume !== undefined;
    const resumeFrom = resume?.from;
    const marker = `${TOKEN_MARKER}:${execution.name}`;
    // A task token a restart found: taken up again, once, instead of issuing a new one.
    let savedTask = resumeFrom?.task;
    const taskResourceLocalHandlers = Object.fromEntries(
      Object.entries(machine.taskFunctions).map(([stateName, binding]) => [
        stateName,
        async (rawInput: unknown) => {
          const taskInput = withoutTimeoutKey(rawInput);
          if (binding.waitForTaskToken) {
            if (savedTask?.state === stateName) {
              const saved = savedTask;
              savedTask = undefined;
              return this.resumeWaitingTask(execution, saved, binding.functionId, taskInput, marker);
            }
            const timeoutSeconds = taskTimeoutSeconds(machine.definition.States[stateName], rawInput);
            return this.waitForTaskToken(
              execution,
              stateName,
              binding.functionId,
              taskInput,
              marker,
              timeoutSeconds,
            );
          }
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
    const engine = resumeFrom
      ? new StateMachine(
          resumeDefinition(machine.definition, resumeFrom, Date.now()) as never,
          ENGINE_OPTIONS,
        )
      : machine.machine;
    const name = execution.stateMachineArn.split(':').at(-1) ?? '';
    const handle = engine.run(input as never, {
      noThrowOnAbort: true,
      context: {
        Execution: {
          Id: executionArn,
          Name: execution.name,
          Input: JSON.parse(execution.input) as never,
          StartTime: execution.startDate,
        },
        StateMachine: { Id: execution.stateMachineArn, Name: name },
        Task: { Token: marker },
      },
      overrides: { taskResourceLocalHandlers: taskResourceLocalHandlers as never },
    });
    const history = (async () => {
      for await (const event of handle.eventLogs) {
        if (this.suspended.has(executionArn)) break;
        const e = event as {
          type: string;
          timestamp: number;
          index?: number;
          state?: { name?: string; input?: unknown };
          Error?: string;
        };
        // A resumed run's start is the ExecutionResumed event already recorded.
        if (resuming && e.type === 'ExecutionStarted') continue;
        const stateName = e.state?.name;
        if (
          e.type === 'StateEntered' &&
          stateName &&
          e.index === undefined &&
          stateName in machine.definition.States
        )
          this.enter(execution, stateName, e.state?.input, e.timestamp);
        if (e.type === 'StateFailed' && stateName) this.closeTokens(executionArn, stateName);
        this.record(execution, {
          timestamp: new Date(e.timestamp).toISOString(),
          type: e.type,
          ...(stateName ? { state: stateName } : {}),
          ...(e.Error ? { error: e.Error } : {}),
        });
      }
    })();
    const done = handle.result
      .then((output) => {
        if (execution.status === 'RUNNING' && !this.suspended.has(executionArn))
          this.finish(execution, 'SUCCEEDED', { output: JSON.stringify(output ?? null) });
      })
      .catch((error: { name?: string; message?: string; cause?: unknown }) => {
        if (execution.status !== 'RUNNING' || this.suspended.has(executionArn)) return;
        const failure = failureOf(error);
        this.finish(execution, 'FAILED', failure);
      })
      .then(() => history.catch(() => undefined))
      .finally(() => {
        this.running.delete(executionArn);
        if (this.suspended.has(executionArn)) return;
        this.closeTokens(executionArn);
        this.persist(execution);
      });
    this.running.set(executionArn, { abort: handle.abort, done });
  }

  /**
   * `.waitForTaskToken`: issue a real token in place of the marker, keep it in the checkpoint,
   * invoke the function with it, then wait until SendTaskSuccess / SendTaskFailure settles it
   * (or the state's timeout fires).
   */
  private waitForTaskToken(
    execution: LocalExecution,
    stateName: string,
    functionId: string,
    taskInput: unknown,
    marker: string,
    timeoutSeconds: number,
  ): Promise<unknown> {
    const task: WaitingTask = {
      state: stateName,
      token: randomBytes(48).toString('base64url'),
      deadline: new Date(Date.now() + timeoutSeconds * 1000).toISOString(),
      invoked: false,
    };
    // Kept before the token leaves the engine: whoever holds it must still find it after a restart.
    this.keepTask(execution, task);
    return this.handOnAndWait(execution, task, functionId, taskInput, marker);
  }

  /** A task token a restart found: its settled outcome is applied, or the same token is awaited again. */
  private async resumeWaitingTask(
    execution: LocalExecution,
    task: WaitingTask,
    functionId: string,
    taskInput: unknown,
    marker: string,
  ): Promise<unknown> {
    const { outcome } = task;
    if (outcome && 'output' in outcome) return outcome.output;
    if (outcome) throw Object.assign(new Error(outcome.cause), { name: outcome.error });
    return this.handOnAndWait(execution, task, functionId, taskInput, marker);
  }

  private async handOnAndWait(
    execution: LocalExecution,
    task: WaitingTask,
    functionId: string,
    taskInput: unknown,
    marker: string,
  ): Promise<unknown> {
    const input = JSON.parse(JSON.stringify(taskInput).replaceAll(marker, task.token)) as {
      Payload?: unknown;
    };
    const settled = new Promise<unknown>((resolve, reject) => {
      this.tokens.set(task.token, {
        executionArn: execution.executionArn,
        stateName: task.state,
        resolve,
        reject,
      });
    });
    // Invoked again after a restart only when it had not returned: the same token, and the handler replays.
    if (!task.invoked) {
      try {
        await this.host.invoke(functionId, 'FunctionName' in input ? input.Payload : input);
      } catch (error) {
        this.tokens.delete(task.token);
        throw error;
      }
      task.invoked = true;
      this.keepTask(execution, task);
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
    const pending = this.takeToken(token);
    this.keepOutcome(pending.executionArn, token, { output: parsed });
    pending.resolve(parsed);
  }

  sendTaskFailure(token: string, error = 'States.TaskFailed', cause = ''): void {
    const pending = this.takeToken(token);
    this.keepOutcome(pending.executionArn, token, { error, cause });
    pending.reject(Object.assign(new Error(cause), { name: error }));
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
    this.checkpoints.delete(execution.executionArn);
    this.removeSidecars(execution);
  }

  /** Records a history event; while the run goes on it is also appended to its history file. */
  private record(
    execution: LocalExecution,
    event: Omit<HistoryEvent, 'timestamp'> & { timestamp?: string },
  ): void {
    const entry: HistoryEvent = { ...event, timestamp: event.timestamp ?? new Date().toISOString() };
    execution.history.push(entry);
    if (execution.status === 'RUNNING' && !this.suspended.has(execution.executionArn))
      appendFileSync(this.sidecar(execution, 'history'), `${JSON.stringify(entry)}\n`);
  }

  /** The run entered a top-level state: that state and its input become the checkpoint. */
  private enter(execution: LocalExecution, state: string, input: unknown, timestamp: number): void {
    const text = JSON.stringify(input ?? null);
    const inputBytes = Buffer.byteLength(text);
    const previous = this.checkpoints.get(execution.executionArn);
    this.saveCheckpoint(execution, {
      state,
      enteredAt: new Date(timestamp).toISOString(),
      inputBytes,
      ...(inputBytes <= MAX_CHECKPOINT_INPUT_BYTES ? { input: JSON.parse(text) as unknown } : {}),
      // The task's token may have been issued before this event was read.
      ...(previous?.task?.state === state ? { task: previous.task } : {}),
    });
  }

  private keepTask(execution: LocalExecution, task: WaitingTask): void {
    const current = this.checkpoints.get(execution.executionArn);
    this.saveCheckpoint(
      execution,
      current
        ? { ...current, task }
        : { state: task.state, enteredAt: new Date().toISOString(), inputBytes: 0, task },
    );
  }

  private keepOutcome(
    executionArn: string,
    token: string,
    outcome: NonNullable<WaitingTask['outcome']>,
  ): void {
    const execution = this.executions.get(executionArn);
    const current = this.checkpoints.get(executionArn);
    if (!execution || current?.task?.token !== token) return;
    this.saveCheckpoint(execution, { ...current, task: { ...current.task, outcome } });
  }

  /** One small file rewritten per state entered (bounded by MAX_CHECKPOINT_INPUT_BYTES), temp + rename. */
  private saveCheckpoint(execution: LocalExecution, checkpoint: Checkpoint): void {
    if (execution.status !== 'RUNNING' || this.suspended.has(execution.executionArn)) return;
    this.checkpoints.set(execution.executionArn, checkpoint);
    writeAtomically(this.sidecar(execution, 'checkpoint'), JSON.stringify(checkpoint));
  }

  private fileFor(execution: LocalExecution): string {
    return join(this.dir, `${execution.stateMachineArn.split(':').at(-1)}__${execution.name}.json`);
  }

  /** Files kept beside a running execution's record; neither ends in `.json`, so readers of records skip them. */
  private sidecar(execution: LocalExecution, kind: 'history' | 'checkpoint'): string {
    return this.fileFor(execution).replace(/\.json$/, kind === 'history' ? '.history.jsonl' : '.checkpoint');
  }

  private removeSidecars(execution: LocalExecution): void {
    rmSync(this.sidecar(execution, 'history'), { force: true });
    rmSync(this.sidecar(execution, 'checkpoint'), { force: true });
  }

  /** The record is written when a run starts and when it ends (with its whole history), not per state. */
  private persist(execution: LocalExecution): void {
    writeAtomically(this.fileFor(execution), JSON.stringify(execution, null, 2));
  }

  /**
   * Executions survive restarts. A run that was running when the runtime stopped or was killed
   * is resumed from its checkpoint, or, when it cannot be, ends ABORTED saying why.
   */
  private loadExecutions(): void {
    for (const file of readdirSync(this.dir).filter((f) => f.endsWith('.json'))) {
      const execution = JSON.parse(readFileSync(join(this.dir, file), 'utf8')) as LocalExecution;
      this.executions.set(execution.executionArn, execution);
      if (execution.status !== 'RUNNING') {
        this.removeSidecars(execution);
        continue;
      }
      execution.history = this.readHistory(execution) ?? execution.history;
      const checkpoint = this.readCheckpoint(execution);
      if (checkpoint) this.checkpoints.set(execution.executionArn, checkpoint);
      const problem = this.whyUnresumable(execution, checkpoint);
      if (problem) this.abortUnresumable(execution, problem);
      else this.interrupted.push(execution);
    }
  }

  private whyUnresumable(execution: LocalExecution, checkpoint: Checkpoint | undefined): string | undefined {
    const machine = this.machines.get(execution.stateMachineArn);
    if (!machine) return `its state machine ${execution.stateMachineArn} is no longer served locally`;
    if (machine.runbook.version !== execution.runbookVersion)
      return `runbook version changed from ${execution.runbookVersion} to ${machine.runbook.version}`;
    if (!checkpoint) {
      // Nothing ran before the stop: starting over is resuming.
      return execution.history.some((e) => e.type === 'StateEntered')
        ? 'the checkpoint of the state it was in is missing'
        : undefined;
    }
    if (!(checkpoint.state in machine.definition.States))
      return `the state "${checkpoint.state}" it was in is not a top-level state of the runbook`;
    if (checkpoint.input === undefined)
      return checkpoint.inputBytes > MAX_CHECKPOINT_INPUT_BYTES
        ? `the input of state "${checkpoint.state}" (${checkpoint.inputBytes} bytes) is over the ${MAX_CHECKPOINT_INPUT_BYTES} bytes kept for a restart`
        : `the input of state "${checkpoint.state}" was not kept`;
    if (checkpoint.task && !(checkpoint.task.state in machine.definition.States))
      return `it was waiting in "${checkpoint.task.state}", inside a Map or Parallel state, which a restart cannot re-enter`;
    return undefined;
  }

  private abortUnresumable(execution: LocalExecution, problem: string): void {
    const cause = `${UNRESUMABLE}: ${problem}.`;
    this.record(execution, {
      type: 'ExecutionAborted',
      error: 'Tollgate.LocalRestartUnresumable',
      detail: cause,
    });
    this.finish(execution, 'ABORTED', { error: 'Tollgate.LocalRestartUnresumable', cause });
  }

  private readHistory(execution: LocalExecution): HistoryEvent[] | undefined {
    const file = this.sidecar(execution, 'history');
    if (!existsSync(file)) return undefined;
    const events: HistoryEvent[] = [];
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        events.push(JSON.parse(line) as HistoryEvent);
      } catch {
        // A line torn by a kill mid-append; the events before it stand.
      }
    }
    return events;
  }

  private readCheckpoint(execution: LocalExecution): Checkpoint | undefined {
    const file = this.sidecar(execution, 'checkpoint');
    if (!existsSync(file)) return undefined;
    return JSON.parse(readFileSync(file, 'utf8')) as Checkpoint;
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

/** The timeout the engine gives a Task state, in seconds (see adaptTimeoutPaths). */
function taskTimeoutSeconds(state: Record<string, unknown> | undefined, rawInput: unknown): number {
  const fromPath =
    typeof rawInput === 'object' && rawInput !== null
      ? (rawInput as Record<string, unknown>)[TIMEOUT_KEY]
      : undefined;
  if (typeof fromPath === 'number') return fromPath;
  if (typeof state?.TimeoutSeconds === 'number') return state.TimeoutSeconds;
  return ENGINE_DEFAULT_TASK_TIMEOUT_SECONDS;
}

/**
 * The same definition started at the checkpoint's state, with only the states reachable from
 * there (the engine's validator refuses unreachable ones). A waiting task keeps its deadline:
 * its timeout becomes what was left of it (at least 1 s, so a deadline that passed while the
 * stack was down times out at once and the runbook's Catch takes over).
 */
function resumeDefinition(definition: AslDefinition, checkpoint: Checkpoint, now: number): AslDefinition {
  const derived = structuredClone(definition);
  derived.StartAt = checkpoint.state;
  const state = derived.States[checkpoint.state];
  const task = checkpoint.task?.state === checkpoint.state ? checkpoint.task : undefined;
  if (state && task && !task.outcome) {
    const remaining = Math.max(1, Math.ceil((Date.parse(task.deadline) - now) / 1000));
    const parameters = state.Parameters as Record<string, unknown> | undefined;
    if (parameters && `${TIMEOUT_KEY}.$` in parameters) {
      delete parameters[`${TIMEOUT_KEY}.$`];
      parameters[TIMEOUT_KEY] = remaining;
    } else {
      delete state.TimeoutSecondsPath;
      state.TimeoutSeconds = remaining;
    }
  }
  return { ...derived, States: reachableStates(derived.States, derived.StartAt) };
}

function reachableStates(states: AslDefinition['States'], start: string): AslDefinition['States'] {
  const reached: AslDefinition['States'] = {};
  const queue = [start];
  // Each state is visited once, so the walk is bounded by the number of states.
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    const state = states[name];
    if (!state || name in reached) continue;
    reached[name] = state;
    const targets = [
      state.Next,
      state.Default,
      ...((state.Choices as { Next?: unknown }[] | undefined) ?? []).map((c) => c.Next),
      ...((state.Catch as { Next?: unknown }[] | undefined) ?? []).map((c) => c.Next),
    ];
    for (const target of targets) if (typeof target === 'string') queue.push(target);
  }
  return reached;
}

/** Crash-safe: a reader sees the old file or the new one, never half of one. */
function writeAtomically(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
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
