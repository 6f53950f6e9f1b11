import { Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { EVIDENCE_BUCKET_ENV, runbookArnEnv, TABLE_ENV } from '#platform/aws/resource-env.ts';
import { catalogRunbooks, functionById } from '../../lib/catalog.ts';
import { EvidenceBucket } from '../../lib/constructs/evidence-bucket.ts';
import { Runbook } from '../../lib/constructs/runbook.ts';
import { TollgateTables } from '../../lib/constructs/tollgate-tables.ts';
import { PROJECT_ROOT } from '../../lib/project-root.ts';
import { bareFunction, throwawayStack } from './throwaway.ts';

interface Statement {
  Action: string | string[];
  Resource: unknown;
}

/** Every action the function's own role is allowed, and its environment. */
function grantsOf(template: Template, functionId: string): { actions: string[]; statements: Statement[] } {
  const policies = template.findResources('AWS::IAM::Policy');
  const statements = Object.entries(policies)
    .filter(([logicalId]) => logicalId.startsWith(`${functionId}Role`))
    .flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  return { actions: statements.flatMap((s) => [s.Action].flat()), statements };
}

function environmentOf(template: Template, functionId: string): Record<string, unknown> {
  const functions = template.findResources('AWS::Lambda::Function');
  const entry = Object.entries(functions).find(([logicalId]) => logicalId.startsWith(`${functionId}Handler`));
  if (!entry) throw new Error(`No function ${functionId} in the template.`);
  return (entry[1].Properties.Environment as { Variables: Record<string, unknown> }).Variables;
}

const WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];

describe('table binder', () => {
  // Prepare (once): one function bound read-only, one read-write, in a bare stack.
  const stack = throwawayStack();
  const tables = new TollgateTables(stack, 'Tables', { key: new Key(stack, 'TablesKey') });
  const reader = bareFunction(stack, functionById('GetExecution'));
  const writer = bareFunction(stack, functionById('DeploymentCheckWriteProbe'));
  tables.bindTo(reader, 'escrow', 'read');
  tables.bindTo(writer, 'escrow', 'readWrite');
  const template = Template.fromStack(stack);

  it('gives a read-only function no write action on the table or its key', () => {
    // Act
    const { actions } = grantsOf(template, 'GetExecution');

    // Assess
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'kms:Decrypt']));
    expect(actions.filter((action) => WRITE_ACTIONS.includes(action))).toEqual([]);
    expect(actions).not.toContain('kms:Encrypt');
    expect(actions).not.toContain('kms:GenerateDataKey');
    expect(actions).not.toContain('dynamodb:Scan');
  });

  it('tells the read-only function the table name through TABLE_ENV', () => {
    // Act
    const environment = environmentOf(template, 'GetExecution');

    // Assess
    expect(environment[TABLE_ENV.escrow]).toEqual({ Ref: expect.stringMatching(/^TablesEscrowTable/) });
    expect(environment[TABLE_ENV.work]).toBeUndefined();
  });

  it('gives a read-write function writes and the key to encrypt them', () => {
    // Act
    const { actions } = grantsOf(template, 'DeploymentCheckWriteProbe');

    // Assess
    expect(actions).toEqual(expect.arrayContaining([...WRITE_ACTIONS, 'kms:Encrypt', 'kms:GenerateDataKey']));
  });

  it('names the table and its indexes instead of a wildcard', () => {
    // Act
    const { statements } = grantsOf(template, 'GetExecution');
    const tableStatement = statements.find((s) => [s.Action].flat().includes('dynamodb:Query'));

    // Assess
    expect(JSON.stringify(tableStatement?.Resource)).toContain('/index/gsi1');
    expect(JSON.stringify(tableStatement?.Resource)).not.toContain('*');
  });
});

describe('evidence binder', () => {
  // Prepare (once)
  const stack = throwawayStack();
  const evidence = new EvidenceBucket(stack, 'Evidence', {
    retention: { mode: 'GOVERNANCE', days: 1 },
    key: new Key(stack, 'EvidenceKey', { enableKeyRotation: true }),
  });
  const auditorReader = bareFunction(stack, functionById('GetExecution'));
  const recorder = bareFunction(stack, functionById('DeploymentCheckWriteProbe'));
  evidence.bindTo(auditorReader, 'read');
  evidence.bindTo(recorder, 'write');
  const template = Template.fromStack(stack);

  it('lets a reader read evidence but never write, delete or change retention', () => {
    // Act
    const { actions } = grantsOf(template, 'GetExecution');

    // Assess
    expect(actions).toEqual(expect.arrayContaining(['s3:GetObject', 'kms:Decrypt']));
    expect(actions.filter((action) => /^s3:(Put|Delete|Bypass)/.test(action))).toEqual([]);
    expect(environmentOf(template, 'GetExecution')[EVIDENCE_BUCKET_ENV]).toBeDefined();
  });

  it('lets a writer add evidence objects but not delete them or loosen their lock', () => {
    // Act
    const { actions } = grantsOf(template, 'DeploymentCheckWriteProbe');

    // Assess
    expect(actions).toContain('s3:PutObject');
    expect(
      actions.filter((action) => /^s3:(Delete|PutObjectRetention|PutObjectLegalHold|Bypass)/.test(action)),
    ).toEqual([]);
    expect(environmentOf(template, 'DeploymentCheckWriteProbe')[EVIDENCE_BUCKET_ENV]).toBeDefined();
  });
});

describe('runbook binders', () => {
  // Prepare (once)
  const stack = throwawayStack();
  const definition = catalogRunbooks()[0];
  if (!definition) throw new Error('The catalog lists no runbook.');
  const functions = new Map(
    Object.values(definition.tasks).map((id) => [id, bareFunction(stack, functionById(id))] as const),
  );
  const runbook = new Runbook(stack, 'Runbook', {
    definition,
    functions,
    projectRoot: PROJECT_ROOT,
    key: new Key(stack, 'RunbookKey', { enableKeyRotation: true }),
    logsKey: new Key(stack, 'RunbookLogsKey', { enableKeyRotation: true }),
    logRetentionDays: 1,
  });
  const starter = bareFunction(stack, functionById('StartExecution'));
  const reader = bareFunction(stack, functionById('GetExecution'));
  runbook.bindStarter(starter);
  runbook.bindReader(reader);
  const template = Template.fromStack(stack);

  it('lets a starter start executions of this runbook and tells it the ARN', () => {
    // Act
    const { actions } = grantsOf(template, 'StartExecution');

    // Assess
    expect(actions).toContain('states:StartExecution');
    expect(actions).not.toContain('states:DescribeExecution');
    expect(environmentOf(template, 'StartExecution')[runbookArnEnv(definition.name)]).toBeDefined();
  });

  it("lets a reader describe this runbook's executions only", () => {
    // Act
    const { actions, statements } = grantsOf(template, 'GetExecution');
    const describeGrant = statements.find((s) => [s.Action].flat().includes('states:DescribeExecution'));

    // Assess
    expect(actions).not.toContain('states:StartExecution');
    expect(JSON.stringify(describeGrant?.Resource)).toContain(':execution:');
  });
});
