import { catalogFunctions, type FunctionDefinition } from './catalog.ts';

/**
 * The per-function grant table of docs/security.md, rendered from the catalog the stack's
 * binders read, so the document cannot fall behind what `cdk deploy` grants.
 */
export const MATRIX_BEGIN = '<!-- iam-matrix:begin (generated from lib/catalog.ts: npm run docs:iam) -->';
export const MATRIX_END = '<!-- iam-matrix:end -->';

const TABLE_ACTIONS = {
  read: 'dynamodb Get/BatchGet/Query/ConditionCheck/DescribeTable; kms Decrypt/DescribeKey (tables key)',
  readWrite:
    'dynamodb read + Put/Update/Delete/BatchWrite; kms Decrypt/DescribeKey/Encrypt/GenerateDataKey (tables key)',
} as const;

const EVIDENCE_ACTIONS = {
  write:
    's3 PutObject/GetObject on the evidence bucket (new objects only, SSE-KMS with the evidence key); work table read-write for chain heads',
  read: 's3 GetObject/ListBucket on the evidence bucket; kms Decrypt (evidence key)',
  digest: 's3 read + write on the evidence bucket; kms:Sign and kms:GetPublicKey on the digest signing key',
} as const;

const BANK_FILES_ACTIONS = {
  write:
    's3 PutObject/GetObject on `outbound/*` (new files only, SSE-KMS with the bank-files key); kms GenerateDataKey (bank-files key)',
  read: 's3 GetObject on `inbound/*`, ListBucket for prefix `inbound/`; kms Decrypt (bank-files key)',
  readWrite:
    's3 PutObject/GetObject on `outbound/*`, GetObject on `inbound/*`, ListBucket for prefix `inbound/`; kms GenerateDataKey/Decrypt (bank-files key)',
} as const;

function grantsOf(fn: FunctionDefinition): string[] {
  const rows: string[] = [];
  for (const [table, access] of Object.entries(fn.tables)) {
    rows.push(`| ${rows.length === 0 ? fn.id : ''} | ${TABLE_ACTIONS[access]} | ${table} table + \`gsi1\` |`);
  }
  const more: [string, string][] = [];
  if (fn.evidence) more.push([EVIDENCE_ACTIONS[fn.evidence], 'evidence bucket']);
  if (fn.bankFiles) more.push([BANK_FILES_ACTIONS[fn.bankFiles], 'bank-files bucket']);
  if (fn.notifications)
    more.push([
      'sns:Publish; kms GenerateDataKey/Decrypt (alarms key)',
      'the stage alarm topic (trust notifications)',
    ]);
  if (fn.model)
    more.push([
      'bedrock:InvokeModel (+ ApplyGuardrail when configured)',
      'the stage model / profile / guardrail ARNs (§2)',
    ]);
  if (fn.startsRunbooks?.length)
    more.push([
      'states:StartExecution; kms:GenerateDataKey (runbooks key, that state machine)',
      fn.startsRunbooks.join(', '),
    ]);
  if (fn.describesRunbooks?.length)
    more.push([
      'states:DescribeExecution, GetExecutionHistory; kms:Decrypt (runbooks key)',
      `executions of ${fn.describesRunbooks.join(', ')}`,
    ]);
  if (fn.completesTasksOf?.length)
    more.push([
      'states:SendTaskSuccess, SendTaskFailure; kms:GenerateDataKey (runbooks key)',
      fn.completesTasksOf.join(', '),
    ]);
  if (fn.scheduleMinutes || fn.scheduleCron)
    more.push([
      `sqs:SendMessage; kms GenerateDataKey/Decrypt (queues key); invoked ${fn.scheduleCron ? `on ${fn.scheduleCron}` : `every ${fn.scheduleMinutes} min`}, concurrency 1`,
      'the scheduled-job dead-letter queue',
    ]);
  for (const [actions, resources] of more)
    rows.push(`| ${rows.length === 0 ? fn.id : ''} | ${actions} | ${resources} |`);
  return rows.length > 0 ? rows : [`| ${fn.id} | (none beyond logs and X-Ray) | — |`];
}

export function renderIamMatrix(): string {
  return [
    MATRIX_BEGIN,
    '| Function | Actions | Resources |',
    '| --- | --- | --- |',
    ...catalogFunctions().flatMap(grantsOf),
    MATRIX_END,
  ].join('\n');
}

/** The document with its matrix section replaced by the current one. */
export function withCurrentMatrix(document: string): string {
  const start = document.indexOf(MATRIX_BEGIN);
  const end = document.indexOf(MATRIX_END);
  if (start < 0 || end < start) throw new Error('docs/security.md has no iam-matrix markers.');
  return `${document.slice(0, start)}${renderIamMatrix()}${document.slice(end + MATRIX_END.length)}`;
}
