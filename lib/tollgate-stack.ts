import { CfnOutput, Duration, Stack, type StackProps, Tags, Validations } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import {
  APPROVAL_LIMITS_ENV,
  type TableId,
  TRUST_NOTIFICATIONS_TOPIC_ENV,
} from '#platform/aws/resource-env.ts';
import { ROLES } from '#platform/core/roles.ts';
import {
  catalogFunctions,
  catalogRunbooks,
  type FunctionDefinition,
  functionById,
  ROUTES,
  type TableAccess,
} from './catalog.ts';
import type { StageConfig } from './config/stage-config.ts';
import { ActionFunction } from './constructs/action-function.ts';
import { BankFilesBucket } from './constructs/bank-files-bucket.ts';
import { EvidenceAnalytics } from './constructs/evidence-analytics.ts';
import { EvidenceBucket } from './constructs/evidence-bucket.ts';
import { FinanceApi } from './constructs/finance-api.ts';
import { ModelAccess } from './constructs/model-access.ts';
import { OperationsDashboard } from './constructs/operations-dashboard.ts';
import { Runbook } from './constructs/runbook.ts';
import { TollgateKeys } from './constructs/tollgate-keys.ts';
import { TollgateNetwork } from './constructs/tollgate-network.ts';
import { TollgateTables } from './constructs/tollgate-tables.ts';
import { PROJECT_ROOT } from './project-root.ts';
import { applySecurityPosture } from './security-posture.ts';

export interface TollgateStackProps extends StackProps {
  readonly config: StageConfig;
  /**
   * Directory holding the handlers, `statemachines/` and `package-lock.json`.
   * @default the project root
   */
  readonly projectRoot?: string;
}

/**
 * One Tollgate stage, wired entirely from the catalog: a function per FUNCTIONS entry with
 * the tables it lists, a runbook per RUNBOOKS entry bound to its functions, and the API
 * from ROUTES. Changing what Tollgate is made of means changing lib/catalog.ts, not this file.
 */
export class TollgateStack extends Stack {
  readonly keys: TollgateKeys;
  readonly tables: TollgateTables;
  readonly evidence: EvidenceBucket;
  readonly bankFiles: BankFilesBucket;
  readonly evidenceAnalytics: EvidenceAnalytics;
  readonly functions: ReadonlyMap<string, ActionFunction>;
  readonly runbooks: ReadonlyMap<string, Runbook>;
  readonly api: FinanceApi;
  readonly model: ModelAccess;
  readonly operations: OperationsDashboard;
  /** Present in network mode `isolated`. */
  readonly network: TollgateNetwork | undefined;

  constructor(scope: Construct, id: string, props: TollgateStackProps) {
    super(scope, id, props);
    const { config } = props;
    const projectRoot = props.projectRoot ?? PROJECT_ROOT;
    Tags.of(this).add('tollgate:stage', config.stageName);

    this.keys = new TollgateKeys(this, 'Keys');
    this.tables = new TollgateTables(this, 'Tables', { key: this.keys.tables });
    this.evidence = new EvidenceBucket(this, 'Evidence', {
      retention: config.evidenceRetention,
      key: this.keys.evidence,
    });
    this.bankFiles = new BankFilesBucket(this, 'BankFiles', {
      key: this.keys.bankFiles,
      accessLogs: this.evidence.accessLogs,
    });

    this.model = new ModelAccess(this, 'Model', {
      modelId: config.modelId,
      ...(config.modelRegions ? { modelRegions: config.modelRegions } : {}),
      ...(config.guardrail ? { guardrail: config.guardrail } : {}),
    });
    const { gatewayPrefixLists } = config.network;
    this.network =
      config.network.mode === 'isolated' && gatewayPrefixLists
        ? new TollgateNetwork(this, 'Network', {
            gatewayPrefixLists,
            logsKey: this.keys.logs,
            logRetentionDays: config.logRetentionDays,
            modelResources: () => this.model.resourceArns,
          })
        : undefined;

    this.evidenceAnalytics = new EvidenceAnalytics(this, 'EvidenceAnalytics', {
      evidenceBucket: this.evidence.bucket,
      key: this.keys.evidence,
      accessLogs: this.evidence.accessLogs,
    });

    // Scheduled jobs are invoked asynchronously: what fails after retries lands here, not nowhere.
    const deadLetters = catalogFunctions().some((f) => f.scheduleMinutes || f.scheduleCron)
      ? new Queue(this, 'ScheduledJobDeadLetters', {
          encryption: QueueEncryption.KMS,
          encryptionMasterKey: this.keys.queues,
          enforceSSL: true,
          retentionPeriod: Duration.days(14),
        })
      : undefined;
    if (deadLetters) {
      Validations.of(deadLetters).acknowledge({
        id: 'Serverless-SQSRedrivePolicy',
        reason:
          'This queue is itself the last stop for failed scheduled invocations; redriving it further would only hide them. Messages are kept 14 days for an operator.',
      });
    }
    const functions = new Map<string, ActionFunction>();
    for (const definition of catalogFunctions()) {
      const scheduled =
        (definition.scheduleMinutes !== undefined || definition.scheduleCron !== undefined) &&
        deadLetters !== undefined;
      const fn = new ActionFunction(this, definition.id, {
        definition,
        stageName: config.stageName,
        logRetentionDays: config.logRetentionDays,
        logsKey: this.keys.logs,
        projectRoot,
        ...(this.network ? { placement: this.network.placement } : {}),
        ...(scheduled ? { deadLetterQueue: deadLetters, reservedConcurrency: 1 } : {}),
      });
      if (scheduled) {
        fn.role.addToPrincipalPolicy(
          new PolicyStatement({
            actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
            resources: [this.keys.queues.keyArn],
          }),
        );
      }
      for (const [tableId, access] of Object.entries(definition.tables) as [TableId, TableAccess][]) {
        this.tables.bindTo(fn, tableId, access);
      }
      if (definition.model === 'invoke') this.model.bindTo(fn);
      if (definition.approvalLimits)
        fn.addEnvironment(APPROVAL_LIMITS_ENV, JSON.stringify(config.approvalLimits));
      if (definition.evidence) {
        this.evidence.bindTo(fn, definition.evidence);
        // Evidence chain heads live in the work table, so every evidence writer may update it.
        if (definition.evidence === 'write' && definition.tables.work !== 'readWrite')
          this.tables.bindTo(fn, 'work', 'readWrite');
      }
      if (definition.bankFiles) this.bankFiles.bindTo(fn, definition.bankFiles);
      if (definition.scheduleMinutes || definition.scheduleCron) {
        new Rule(this, `${definition.id}Schedule`, {
          description: definition.scheduleCron
            ? `Tollgate ${definition.id} on ${definition.scheduleCron} (UTC)`
            : `Tollgate ${definition.id} every ${definition.scheduleMinutes} minutes`,
          schedule: definition.scheduleCron
            ? Schedule.expression(definition.scheduleCron)
            : Schedule.rate(Duration.minutes(definition.scheduleMinutes ?? 0)),
          targets: [
            new LambdaFunction(fn.function, {
              retryAttempts: 2,
              ...(deadLetters ? { deadLetterQueue: deadLetters } : {}),
            }),
          ],
        });
      }
      functions.set(definition.id, fn);
    }
    this.functions = functions;

    const runbooks = new Map<string, Runbook>();
    for (const definition of catalogRunbooks()) {
      runbooks.set(
        definition.name,
        new Runbook(this, `${pascal(definition.name)}Runbook`, {
          definition,
          functions,
          projectRoot,
          key: this.keys.runbooks,
          logsKey: this.keys.logs,
          logRetentionDays: config.logRetentionDays,
        }),
      );
    }
    this.runbooks = runbooks;

    for (const definition of catalogFunctions()) {
      const fn = functions.get(definition.id) as ActionFunction;
      for (const name of definition.startsRunbooks ?? [])
        runbookFor(runbooks, definition, name).bindStarter(fn);
      for (const name of definition.describesRunbooks ?? [])
        runbookFor(runbooks, definition, name).bindReader(fn);
      for (const name of definition.recordsFor ?? []) runbookFor(runbooks, definition, name).bindRecorder(fn);
      for (const name of definition.completesTasksOf ?? [])
        runbookFor(runbooks, definition, name).bindTaskResponder(fn);
    }

    this.api = new FinanceApi(this, 'FinanceApi', {
      routes: ROUTES,
      functions,
      roles: ROLES,
      throttle: config.apiThrottle,
      logsKey: this.keys.logs,
      logRetentionDays: config.logRetentionDays,
      ...(config.federation ? { federation: config.federation } : {}),
    });

    this.operations = new OperationsDashboard(this, 'Operations', {
      stageName: config.stageName,
      runbooks,
      functions,
      key: this.keys.alarms,
      ...(config.alarmEmail ? { alarmEmail: config.alarmEmail } : {}),
      backlogCheckMinutes: functionById('ApprovalBacklogCheck').scheduleMinutes ?? 15,
    });
    // Trust events (an agent demoted) go to the people who already watch the stage's alarms.
    for (const definition of catalogFunctions()) {
      if (definition.notifications !== 'publish') continue;
      const fn = functions.get(definition.id) as ActionFunction;
      // Spelled out rather than grantPublish, which grants kms:GenerateDataKey* (a wildcard action).
      fn.role.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['sns:Publish'], resources: [this.operations.topic.topicArn] }),
      );
      fn.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [this.keys.alarms.keyArn],
        }),
      );
      fn.addEnvironment(TRUST_NOTIFICATIONS_TOPIC_ENV, this.operations.topic.topicArn);
    }

    applySecurityPosture(this, {
      networkMode: config.network.mode,
      ...(config.logSubscription ? { logSubscription: config.logSubscription } : {}),
      // Read at synth, so functions that routes or runbooks added later are included.
      synchronousFunctions: () => {
        const invoked = new Set([
          ...ROUTES.map((route) => route.functionId),
          ...catalogRunbooks().flatMap((runbook) => Object.values(runbook.tasks)),
        ]);
        return [...functions.entries()].filter(([id]) => invoked.has(id)).map(([, fn]) => fn);
      },
      concurrencyBound: `API Gateway stage throttling (${config.apiThrottle.rateLimit} requests/s, burst ${config.apiThrottle.burstLimit}), the WAF per-IP rate rule, and runbook executions started only through that API`,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Tollgate API invoke URL' });
    new CfnOutput(this, 'UserPoolId', {
      value: this.api.userPool.userPoolId,
      description: 'Finance user pool',
    });
    new CfnOutput(this, 'UserPoolClientId', {
      value: this.api.client.userPoolClientId,
      description: 'App client finance tools sign in with',
    });
    new CfnOutput(this, 'EvidenceBucketName', {
      value: this.evidence.bucket.bucketName,
      description: 'Object Lock bucket auditors verify evidence in',
    });
    new CfnOutput(this, 'EvidenceSigningKeyArn', {
      value: this.evidence.signingKey.keyArn,
      description:
        'KMS key that signs evidence digests: `tollgate evidence verify --signing-key` pins its public key',
    });
    new CfnOutput(this, 'WorkTableName', {
      value: this.tables.table('work').tableName,
      description:
        'Work table: `tollgate evidence verify --work-table` holds every evidence chain to its head',
    });
    new CfnOutput(this, 'BankFilesBucketName', {
      value: this.bankFiles.bucket.bucketName,
      description: 'Bucket of payment files for the bank (outbound/) and its answers (inbound/)',
    });
    new CfnOutput(this, 'EvidenceAthenaWorkGroup', {
      value: this.evidenceAnalytics.workGroup.ref,
      description: 'Athena workgroup for `tollgate evidence export --engine athena`',
    });
    new CfnOutput(this, 'EvidenceGlueDatabase', {
      value: this.evidenceAnalytics.databaseName,
      description: 'Glue database holding the evidence_records table',
    });
  }
}

function runbookFor(
  runbooks: ReadonlyMap<string, Runbook>,
  definition: FunctionDefinition,
  name: string,
): Runbook {
  const runbook = runbooks.get(name);
  if (!runbook) {
    throw new Error(
      `Function "${definition.id}" refers to runbook "${name}", which is not in RUNBOOKS in lib/catalog.ts.`,
    );
  }
  return runbook;
}

/** `deployment-check` → `DeploymentCheck`. */
function pascal(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => `${part.charAt(0).toUpperCase()}${part.slice(1)}`)
    .join('');
}
