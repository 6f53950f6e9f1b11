import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface TollgateKeysProps {
  /**
   * Days KMS waits before deleting a key that was scheduled for deletion.
   * @default 30 (the maximum, so a mistaken deletion can be cancelled)
   */
  readonly pendingWindowDays?: number;
}

/**
 * The customer-managed keys of one stage, one per kind of data so a key policy only ever
 * names the services that need it: ledger tables, evidence, bank files, logs, runbook executions, dead letters and alarms.
 */
export class TollgateKeys extends Construct {
  /** Encrypts the trust, escrow, work and reference tables. */
  readonly tables: Key;
  /** Encrypts evidence records and digests. */
  readonly evidence: Key;
  /** Encrypts the payment files sent to the bank and the bank's answers. */
  readonly bankFiles: Key;
  /** Encrypts every CloudWatch Logs log group of the stage. */
  readonly logs: Key;
  /** Encrypts runbook definitions and execution history in Step Functions. */
  readonly runbooks: Key;
  /** Encrypts the dead-letter queue of scheduled jobs. */
  readonly queues: Key;
  /** Encrypts the alarm topic operators subscribe to. */
  readonly alarms: Key;

  constructor(scope: Construct, id: string, props: TollgateKeysProps = {}) {
    super(scope, id);
    const pendingWindow = Duration.days(props.pendingWindowDays ?? 30);
    const key = (keyId: string, description: string): Key =>
      new Key(this, keyId, {
        description,
        enableKeyRotation: true,
        pendingWindow,
        removalPolicy: RemovalPolicy.RETAIN,
      });

    this.tables = key('TablesKey', 'Tollgate: trust, escrow, work and reference tables');
    this.evidence = key('EvidenceKey', 'Tollgate: evidence records and digests');
    this.bankFiles = key('BankFilesKey', 'Tollgate: payment files for the bank and the bank answers');
    this.logs = key('LogsKey', 'Tollgate: CloudWatch Logs of functions, runbooks and the API');
    this.runbooks = key('RunbooksKey', 'Tollgate: runbook definitions and execution history');
    this.queues = key('QueuesKey', 'Tollgate: dead letters of scheduled jobs');
    this.alarms = key('AlarmsKey', 'Tollgate: alarm notifications');

    const { account, region, partition } = Stack.of(this);
    // EventBridge puts undeliverable schedule events on the dead-letter queue, for this account's rules only.
    this.queues.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
    );
    // CloudWatch Logs encrypts with the caller's key only when the key policy lets it, and only for this account's log groups.
    this.logs.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal(`logs.${region}.amazonaws.com`)],
        actions: [
          'kms:Encrypt',
          'kms:Decrypt',
          'kms:ReEncryptFrom',
          'kms:ReEncryptTo',
          'kms:GenerateDataKey',
          'kms:DescribeKey',
        ],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${account}:log-group:*`,
          },
        },
      }),
    );
  }
}
