import { ArnFormat, CfnOutput, Names, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Grant, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  CustomerManagedEncryptionConfiguration,
  DefinitionBody,
  LogLevel,
  StateMachine,
  StateMachineType,
} from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { runbookArnEnv, runbookVersionEnv } from '#platform/aws/resource-env.ts';
import type { RunbookDefinition } from '../catalog.ts';
import { type LoadedRunbook, loadRunbook } from '../runbook-definition.ts';
import type { ActionFunction } from './action-function.ts';
import { acknowledgeWildcardResource } from './nag-findings.ts';

export interface RunbookProps {
  /** The catalog entry: ASL/Markdown file stem and the function behind each placeholder. */
  readonly definition: RunbookDefinition;
  /** Every action function by catalog id; the runbook takes the ones its placeholders name. */
  readonly functions: ReadonlyMap<string, ActionFunction>;
  /** Directory that holds `statemachines/` and any policy file. */
  readonly projectRoot: string;
  /** Customer-managed key for the definition and execution history. */
  readonly key: IKey;
  /** Customer-managed key of the execution log group. */
  readonly logsKey: IKey;
  /** Retention of the execution log group, a value CloudWatch Logs accepts. */
  readonly logRetentionDays: number;
}

/**
 * One runbook as a Standard state machine: the ASL from `statemachines/`, every Task told
 * the runbook version, placeholders bound to the catalog's functions, execution history
 * encrypted with a customer-managed key, and logs that never carry execution data.
 */
export class Runbook extends Construct {
  readonly name: string;
  /** SHA-256 over the ASL, the Markdown and the policy: which runbook decided, and who approved it. */
  readonly version: string;
  readonly stateMachine: StateMachine;
  readonly logGroup: LogGroup;
  readonly loaded: LoadedRunbook;
  private readonly key: IKey;

  constructor(scope: Construct, id: string, props: RunbookProps) {
    super(scope, id);
    this.key = props.key;
    this.loaded = loadRunbook(props.projectRoot, props.definition);
    this.name = this.loaded.name;
    this.version = this.loaded.version;

    const bound = Object.entries(props.definition.tasks).map(([placeholder, functionId]) => {
      const fn = props.functions.get(functionId);
      if (!fn) {
        throw new Error(
          `Runbook "${this.name}": placeholder \${${placeholder}} names function "${functionId}", which is not in FUNCTIONS in lib/catalog.ts.`,
        );
      }
      return { placeholder, fn };
    });

    this.logGroup = new LogGroup(this, 'ExecutionLogs', {
      retention: props.logRetentionDays as RetentionDays,
      encryptionKey: props.logsKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      // The role's KMS condition names this state machine's ARN before it exists, so CDK derives the name up front.
      stateMachineName: Names.uniqueResourceName(this, { maxLength: 80 }),
      comment: `Tollgate runbook ${this.name}, version ${this.version}`,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromString(JSON.stringify(this.loaded.definition)),
      definitionSubstitutions: Object.fromEntries(
        bound.map(({ placeholder, fn }) => [placeholder, fn.function.functionArn]),
      ),
      tracingEnabled: true,
      // Execution data holds invoice amounts and vendor details; evidence records carry them, not logs.
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: false },
      encryptionConfiguration: new CustomerManagedEncryptionConfiguration(props.key),
    });

    for (const { fn } of bound) {
      // grantInvoke would add every version and alias (`:*`); the ASL calls the unqualified ARN only.
      Grant.addToPrincipal({
        grantee: this.stateMachine.role,
        actions: ['lambda:InvokeFunction'],
        resourceArns: [fn.function.functionArn],
      });
    }
    acknowledgeWildcardResource(
      this.stateMachine.role,
      '*',
      'Step Functions log delivery (logs:CreateLogDelivery and related) and X-Ray (xray:PutTraceSegments and related) do not support resource-level permissions.',
    );

    Tags.of(this.stateMachine).add('tollgate:runbook', this.name);
    Tags.of(this.stateMachine).add('tollgate:runbook-version', this.version);
    new CfnOutput(this, 'Version', {
      description: `Version (SHA-256 of ASL, Markdown and policy) of runbook ${this.name}`,
      value: this.version,
    });
  }

  /** Lets `fn` start executions of this runbook and tells it the state machine ARN. */
  bindStarter(fn: ActionFunction): void {
    this.stateMachine.grantStartExecution(fn.role);
    this.grantKeyUse(fn, 'kms:GenerateDataKey');
    fn.addEnvironment(runbookArnEnv(this.name), this.stateMachine.stateMachineArn);
    fn.addEnvironment(runbookVersionEnv(this.name), this.version);
  }

  /** Tells `fn` this runbook's version, for the evidence it writes under the runbook outside a Task; grants nothing. */
  bindRecorder(fn: ActionFunction): void {
    fn.addEnvironment(runbookVersionEnv(this.name), this.version);
  }

  /** Lets `fn` complete this runbook's waiting tasks (a person's decision), nothing else. */
  bindTaskResponder(fn: ActionFunction): void {
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
        resources: [this.stateMachine.stateMachineArn],
      }),
    );
    this.grantKeyUse(fn, 'kms:GenerateDataKey');
  }

  /** Lets `fn` describe this runbook's executions and read their history, nothing else. */
  bindReader(fn: ActionFunction): void {
    const executions = Stack.of(this).formatArn({
      service: 'states',
      resource: 'execution',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      resourceName: `${this.stateMachine.stateMachineName}:*`,
    });
    Grant.addToPrincipal({
      grantee: fn.role,
      actions: ['states:DescribeExecution', 'states:GetExecutionHistory'],
      resourceArns: [executions],
    });
    this.grantKeyUse(fn, 'kms:Decrypt');
    acknowledgeWildcardResource(
      fn.role,
      executions,
      `Execution ARNs are created per request; the grant is limited to executions of runbook ${this.name}.`,
    );
    fn.addEnvironment(runbookArnEnv(this.name), this.stateMachine.stateMachineArn);
  }

  /** The execution input and history are encrypted with the runbook key, in the caller's name. */
  private grantKeyUse(fn: ActionFunction, action: 'kms:GenerateDataKey' | 'kms:Decrypt'): void {
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [action],
        resources: [this.key.keyArn],
        conditions: {
          StringEquals: {
            'kms:EncryptionContext:aws:states:stateMachineArn': this.stateMachine.stateMachineArn,
          },
        },
      }),
    );
  }
}
