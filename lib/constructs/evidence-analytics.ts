import { Aws } from 'aws-cdk-lib';
import { CfnNamedQuery, CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Bucket, type IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  AUDITOR_QUERIES,
  EVIDENCE_COLUMNS,
  EVIDENCE_TABLE,
} from '#platform/evidence/core/auditor-queries.ts';
import { RECORD_TYPES, RECORDS_PREFIX } from '#platform/evidence/core/records.ts';
import { protectedBucketSettings } from './bucket-settings.ts';

export interface EvidenceAnalyticsProps {
  readonly evidenceBucket: IBucket;
  /** Encrypts query results (the evidence key: results are evidence extracts). */
  readonly key: IKey;
  readonly accessLogs: IBucket;
  /**
   * First business date partition projection enumerates.
   * @default '2025-01-01'
   */
  readonly firstDate?: string;
}

/**
 * Athena over the evidence: a Glue table on `records/` with partition projection on `type` and
 * `dt` (no crawler, no partition maintenance), a workgroup whose results are KMS-encrypted and
 * cannot be overridden, and the auditor's standard questions as named queries.
 */
export class EvidenceAnalytics extends Construct {
  readonly database: CfnDatabase;
  readonly table: CfnTable;
  readonly workGroup: CfnWorkGroup;
  readonly results: Bucket;
  readonly databaseName: string;

  constructor(scope: Construct, id: string, props: EvidenceAnalyticsProps) {
    super(scope, id);
    this.database = new CfnDatabase(this, 'Database', {
      catalogId: Aws.ACCOUNT_ID,
      // Glue database names are lower case; the stack name keeps stages apart.
      databaseInput: {
        name: `tollgate_evidence_${Aws.STACK_NAME}`.toLowerCase(),
        description: 'Tollgate evidence records for auditors',
      },
    });
    const databaseName = this.database.ref;
    this.databaseName = databaseName;
    const location = `s3://${props.evidenceBucket.bucketName}/${RECORDS_PREFIX}`;
    this.table = new CfnTable(this, 'Records', {
      catalogId: Aws.ACCOUNT_ID,
      databaseName,
      tableInput: {
        name: EVIDENCE_TABLE,
        description:
          'One row per evidence record (canonical JSON lines), partitioned by record type and date.',
        tableType: 'EXTERNAL_TABLE',
        parameters: {
          classification: 'json',
          'projection.enabled': 'true',
          'projection.type.type': 'enum',
          'projection.type.values': RECORD_TYPES.join(','),
          'projection.dt.type': 'date',
          'projection.dt.format': 'yyyy-MM-dd',
          'projection.dt.range': `${props.firstDate ?? '2025-01-01'},NOW`,
          'storage.location.template': `${location}type=\${type}/dt=\${dt}/`,
        },
        partitionKeys: [
          { name: 'type', type: 'string' },
          { name: 'dt', type: 'string' },
        ],
        storageDescriptor: {
          location,
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          serdeInfo: {
            serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
            parameters: { 'case.insensitive': 'true', 'ignore.malformed.json': 'false' },
          },
          columns: EVIDENCE_COLUMNS.map((c) => ({ name: c.name.toLowerCase(), type: c.glue })),
        },
      },
    });
    this.table.addDependency(this.database);

    this.results = new Bucket(
      this,
      'Results',
      protectedBucketSettings(props.key, props.accessLogs, 'athena-results/'),
    );
    this.workGroup = new CfnWorkGroup(this, 'WorkGroup', {
      name: `${Aws.STACK_NAME}-evidence`,
      description: 'Tollgate auditors: standard evidence exports',
      state: 'ENABLED',
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        resultConfiguration: {
          outputLocation: `s3://${this.results.bucketName}/results/`,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: props.key.keyArn },
        },
      },
    });
    for (const query of AUDITOR_QUERIES) {
      const named = new CfnNamedQuery(this, `Query-${query.name}`, {
        name: query.name,
        description: `${query.question} Parameters (?): ${query.parameters.join(', ')}.`,
        database: databaseName,
        workGroup: this.workGroup.ref,
        queryString: query.sql,
      });
      named.addDependency(this.workGroup);
    }
  }
}
