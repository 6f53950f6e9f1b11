import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { BackupPlan, BackupPlanRule, BackupResource, BackupVault } from 'aws-cdk-lib/aws-backup';
import { AttributeType, BillingMode, type CfnTable, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Grant } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { TABLE_ENV, TABLE_IDS, type TableId } from '#platform/aws/resource-env.ts';
import type { TableAccess } from '../catalog.ts';
import { type KeyAttribute, TABLE_DEFINITIONS, type TableDefinition } from '../table-definitions.ts';
import type { ActionFunction } from './action-function.ts';

export interface TollgateTablesProps {
  /** Customer-managed key every table is encrypted with. */
  readonly key: IKey;
  /**
   * What happens to the tables when the stack is deleted.
   * @default RemovalPolicy.RETAIN (ledgers and approvals outlive any stack)
   */
  readonly removalPolicy?: RemovalPolicy;
}

const READ_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];
const WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];
const KEY_READ_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'];
const KEY_WRITE_ACTIONS = ['kms:Encrypt', 'kms:GenerateDataKey'];

/**
 * The four tables of TABLE_DEFINITIONS: on demand, point-in-time recovery, deletion
 * protection, one customer-managed key, retained. Access is granted only through `bindTo`.
 */
export class TollgateTables extends Construct {
  readonly key: IKey;
  private readonly tables: Readonly<Record<TableId, Table>>;

  constructor(scope: Construct, id: string, props: TollgateTablesProps) {
    super(scope, id);
    this.key = props.key;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const tables = {} as Record<TableId, Table>;
    for (const tableId of TABLE_IDS) {
      tables[tableId] = this.createTable(TABLE_DEFINITIONS[tableId], removalPolicy);
    }
    this.tables = tables;

    // Point-in-time recovery reaches back 35 days; AWS Backup keeps monthly recovery points for a year, under the table key.
    const vault = new BackupVault(this, 'BackupVault', {
      encryptionKey: this.key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const plan = new BackupPlan(this, 'BackupPlan', {
      backupVault: vault,
      backupPlanRules: [BackupPlanRule.daily(), BackupPlanRule.monthly1Year()],
    });
    const selection = plan.addSelection('Tables', {
      resources: TABLE_IDS.map((tableId) => BackupResource.fromDynamoDbTable(tables[tableId])),
    });
    Validations.of(selection).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason:
        'AWS Backup runs backups under this role, assumable only by backup.amazonaws.com; AWSBackupServiceRolePolicyForBackup is the policy AWS maintains for the resource types it backs up.',
    });
  }

  table(tableId: TableId): Table {
    return this.tables[tableId];
  }

  /**
   * Grants `fn` the table (and its indexes, by name) for reading or reading and writing,
   * with the matching use of the table key, and tells it the table name through TABLE_ENV.
   * Scan is never granted: every access path is a key or an index.
   */
  bindTo(fn: ActionFunction, tableId: TableId, access: TableAccess): void {
    const table = this.tables[tableId];
    const definition = TABLE_DEFINITIONS[tableId];
    const resources = [
      table.tableArn,
      ...definition.indexes.map((index) => `${table.tableArn}/index/${index.indexName}`),
    ];
    const writes = access === 'readWrite';
    // Table.grant would add `index/*`; naming the indexes keeps the grant free of wildcards.
    Grant.addToPrincipal({
      grantee: fn.role,
      actions: [...READ_ACTIONS, ...(writes ? WRITE_ACTIONS : [])],
      resourceArns: resources,
    });
    this.key.grant(fn.role, ...KEY_READ_ACTIONS, ...(writes ? KEY_WRITE_ACTIONS : []));
    fn.addEnvironment(TABLE_ENV[tableId], table.tableName);
  }

  private createTable(definition: TableDefinition, removalPolicy: RemovalPolicy): Table {
    const table = new Table(this, pascal(definition.id), {
      partitionKey: attribute(definition.partitionKey),
      ...(definition.sortKey ? { sortKey: attribute(definition.sortKey) } : {}),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      removalPolicy,
      ...(definition.timeToLiveAttribute ? { timeToLiveAttribute: definition.timeToLiveAttribute } : {}),
    });
    for (const index of definition.indexes) {
      table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: attribute(index.partitionKey),
        ...(index.sortKey ? { sortKey: attribute(index.sortKey) } : {}),
      });
    }
    (table.node.defaultChild as CfnTable).addMetadata('purpose', definition.purpose);
    return table;
  }
}

function attribute(key: KeyAttribute) {
  return { name: key.name, type: key.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER };
}

function pascal(id: string): string {
  return `${id.charAt(0).toUpperCase()}${id.slice(1)}Table`;
}
