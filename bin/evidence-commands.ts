import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DuckDBInstance } from '@duckdb/node-api';
import { TollgateError } from '#platform/core/errors.ts';
import { sha256Hex } from '#platform/core/hashing.ts';
import { add, formatMoney, type Money, money } from '#platform/core/money.ts';
import { KmsDigestSigner } from '#platform/evidence/adapters/digest-signer-kms.ts';
import { listChainHeads, listClaimedEvents } from '#platform/evidence/adapters/evidence-chain-dynamodb.ts';
import { S3EvidenceStore } from '#platform/evidence/adapters/evidence-store-s3.ts';
import {
  AUDITOR_QUERIES,
  auditorQuery,
  DATE_BASES,
  type DateBasis,
  EVIDENCE_COLUMNS,
  EVIDENCE_TABLE,
} from '#platform/evidence/core/auditor-queries.ts';
import {
  DIGESTS_PREFIX,
  isDigestKey,
  parseSignedDigest,
  type SignedDigest,
} from '#platform/evidence/core/digests.ts';
import type { ChainHead, ClaimedEvent, EvidenceStore } from '#platform/evidence/core/ports.ts';
import { reconcileClaims } from '#platform/evidence/core/reconcile.ts';
import { RECORDS_PREFIX } from '#platform/evidence/core/records.ts';
import { type VerificationReport, verifyEvidence } from '#platform/evidence/core/verify.ts';
import { evidenceSigningKeyFile, loadOrCreateDigestSigner } from '../local/evidence-signing-key.ts';
import { LOCAL_REGION } from '../local/function-host.ts';
import { LOCAL_CREDENTIALS, readRuntime } from '../local/local-stack.ts';
import { localTableName } from '../local/provision.ts';
import { verifySummary } from './evidence-verify-output.ts';

/** Where the evidence is: the running local stack of a data folder, or a bucket in AWS. */
export interface EvidenceSource {
  readonly store: EvidenceStore;
  readonly inAws: boolean;
  readonly description: string;
  /** The chain heads of the stage's work table, when it can be read: verify holds every chain to its head. */
  readonly heads?: () => Promise<ChainHead[]>;
  /** The claimed events of the stage's work table, when it can be read: what the reconciler restores from. */
  readonly claims?: () => Promise<ClaimedEvent[]>;
  /**
   * The digest-signing public key from where the key itself lives (the local key file, or KMS),
   * trusted instead of the copy published in the bucket, which anyone who can write there could replace.
   */
  readonly pinnedPublicKey?: () => Promise<string>;
}

/** What a deployed stage's stack outputs name for the auditor: the bucket, the key that signs its digests, the work table. */
export interface StackEvidenceSettings {
  readonly bucket: string;
  readonly signingKey: string;
  readonly workTable: string;
}

/**
 * Reads the evidence settings from a deployed stack's outputs, so `--stack NAME` verifies the
 * right bucket with its signing key pinned and its chains held to their heads, nothing typed by hand.
 */
export async function stackEvidenceSettings(
  stackName: string,
  client: Pick<CloudFormationClient, 'send'> = new CloudFormationClient({}),
): Promise<StackEvidenceSettings> {
  const out = await client.send(new DescribeStacksCommand({ StackName: stackName }));
  const outputs = new Map(
    (out.Stacks?.[0]?.Outputs ?? []).map((output) => [output.OutputKey ?? '', output.OutputValue ?? '']),
  );
  const named = (key: string) => {
    const value = outputs.get(key);
    if (!value)
      throw new TollgateError(
        'NOT_FOUND',
        `Stack ${stackName} has no output ${key}: is it a Tollgate stage stack, deployed from this version?`,
      );
    return value;
  };
  return {
    bucket: named('EvidenceBucketName'),
    signingKey: named('EvidenceSigningKeyArn'),
    workTable: named('WorkTableName'),
  };
}

export function evidenceSource(options: {
  dataDir: string;
  bucket?: string;
  signingKey?: string;
  workTable?: string;
}): EvidenceSource {
  if (options.bucket) {
    const { workTable } = options;
    return {
      store: new S3EvidenceStore(options.bucket, { client: new S3Client({}), headBeforePut: false }),
      inAws: true,
      description: `s3://${options.bucket}`,
      ...(options.signingKey
        ? {
            pinnedPublicKey: async () =>
              (await KmsDigestSigner.create(options.signingKey as string, new KMSClient({}))).publicKeyPem(),
          }
        : {}),
      ...(workTable
        ? {
            heads: () => listChainHeads(DynamoDBDocumentClient.from(new DynamoDBClient({})), workTable),
            claims: () => listClaimedEvents(DynamoDBDocumentClient.from(new DynamoDBClient({})), workTable),
          }
        : {}),
    };
  }
  const runtime = readRuntime(resolve(options.dataDir));
  if (!runtime) {
    throw new TollgateError(
      'NOT_FOUND',
      `No local stack is running on ${resolve(options.dataDir)}. Start it with \`npm run local\`, or pass --bucket NAME to check a bucket in AWS.`,
    );
  }
  return {
    store: new S3EvidenceStore(runtime.evidenceBucket, {
      client: new S3Client({
        endpoint: runtime.endpoints.s3,
        region: LOCAL_REGION,
        credentials: LOCAL_CREDENTIALS,
      }),
      headBeforePut: true,
    }),
    inAws: false,
    description: `local s3rver ${runtime.endpoints.s3}/${runtime.evidenceBucket}`,
    heads: () => listChainHeads(localDocumentClient(runtime.endpoints.dynamodb), localTableName('work')),
    ...(existsSync(evidenceSigningKeyFile(resolve(options.dataDir)))
      ? { pinnedPublicKey: () => loadOrCreateDigestSigner(resolve(options.dataDir)).publicKeyPem() }
      : {}),
    claims: () => listClaimedEvents(localDocumentClient(runtime.endpoints.dynamodb), localTableName('work')),
  };
}

function localDocumentClient(endpoint: string): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }),
  );
}

/** Prints one line per object and a summary; returns the process exit code. */
export async function runVerify(
  source: EvidenceSource,
  options: { publicKeyFile?: string; requireDigested?: boolean; json?: boolean },
  out: (line: string) => void,
): Promise<number> {
  const heads = source.heads ? await source.heads() : undefined;
  // A key given on the command line, else the key from where it lives; the bucket's copy only as a fallback.
  const publicKeyPem = options.publicKeyFile
    ? readFileSync(options.publicKeyFile, 'utf8')
    : await source.pinnedPublicKey?.();
  const report = await verifyEvidence(source.store, {
    checkObjectLock: source.inAws,
    checkVersions: source.inAws,
    now: () => new Date(),
    ...(publicKeyPem ? { publicKeyPem } : {}),
    ...(heads ? { heads } : {}),
  });
  if (options.json) {
    const exitCode = verifyExitCode(report, options.requireDigested === true);
    const { publicKeyFile } = options;
    out(
      JSON.stringify(
        verifySummary(report, {
          source,
          exitCode,
          verifiedAt: new Date(),
          ...(publicKeyFile ? { publicKeyFile } : {}),
        }),
        null,
        2,
      ),
    );
    return exitCode;
  }
  for (const verdict of report.verdicts) {
    out(
      `${verdict.key}: ${
        verdict.reasons.length > 0
          ? `INVALID: ${verdict.reasons.join('; ')}`
          : verdict.pending
            ? 'pending (written after the newest digest; valid so far)'
            : 'valid'
      }`,
    );
  }
  for (const line of summarise(report, source, options.requireDigested === true)) out(line);
  return verifyExitCode(report, options.requireDigested === true);
}

/**
 * Re-writes every claimed record whose object never reached the bucket, from its claim in the
 * work table; prints what it restored and what it cannot. Exit 1 when something cannot be restored.
 */
export async function runReconcile(source: EvidenceSource, out: (line: string) => void): Promise<number> {
  if (!source.claims)
    throw new TollgateError(
      'VALIDATION_FAILED',
      'Reconciling needs the work table that holds the claims: pass --work-table NAME with --bucket.',
    );
  const report = await reconcileClaims(await source.claims(), source.store);
  for (const key of report.restored) out(`${key}: restored from its claim`);
  for (const { key, reason } of report.unrestorable) out(`${key}: CANNOT RESTORE: ${reason}`);
  out(
    `Checked ${report.checked} claimed records in ${source.description}: ${report.restored.length} restored, ${report.unrestorable.length} cannot be restored.`,
  );
  return report.unrestorable.length === 0 ? 0 : 1;
}

/** 0 when nothing is invalid and a digest exists; objects not yet digested fail only when required. */
export function verifyExitCode(report: VerificationReport, requireDigested: boolean): number {
  return report.invalid === 0 && report.digests > 0 && (!requireDigested || report.pending === 0) ? 0 : 1;
}

function summarise(report: VerificationReport, source: EvidenceSource, requireDigested: boolean): string[] {
  const ok = verifyExitCode(report, requireDigested) === 0;
  return [
    '',
    `Evidence in ${source.description}: ${report.verdicts.length} objects checked (${report.digests} digests, ${report.records} records, ${report.payloads} payloads).`,
    report.newestDigest
      ? `Newest digest ${report.newestDigest.key} covers everything written before ${report.newestDigest.windowEnd}.`
      : 'No digest found: nothing proves this evidence complete.',
    `Signing keys: ${report.signingKeyIds.join(', ') || 'none verified'}.`,
    report.objectLockChecked
      ? 'Object Lock mode and retain-until checked on every object.'
      : 'Object Lock not checked: the local store (s3rver) has no Object Lock; hashes, chains and signatures were.',
    report.versionsChecked
      ? 'Object versions and delete markers listed: none may hide a deleted or overwritten object.'
      : 'Object versions not listed: the local store keeps none.',
    report.headsChecked === null
      ? 'Chain heads not checked: the work table was not given (--work-table), so a deleted newest record would go unseen.'
      : `Chain heads: ${report.headsChecked} from the work table, each matched by the newest record in the bucket.`,
    report.pending > 0
      ? `Pending: ${report.pending} object(s) written after the newest digest, not yet covered by one${requireDigested ? ' (--require-digested: that fails the check)' : ''}; run the digest job and verify again.`
      : 'Pending: none; every object is covered by a digest.',
    ok
      ? report.pending > 0
        ? `Result: all valid; ${report.pending} pending.`
        : 'Result: all valid.'
      : `Result: ${report.invalid} INVALID${report.pending > 0 ? `, ${report.pending} pending` : ''}.`,
  ];
}

export interface ExportOptions {
  readonly from: string;
  readonly to: string;
  /**
   * What `from`/`to` bound: 'record', the date the record was filed (the run's date, the
   * decision's for decision records); 'invoice', the invoice's own date.
   * @default 'record'
   */
  readonly dateBy?: DateBasis;
  readonly minAmount?: string;
  readonly format: 'csv' | 'json';
  readonly outDir: string;
  readonly ranBy?: string;
  readonly engine: 'duckdb' | 'athena';
  readonly athena?: { readonly workgroup: string; readonly database: string };
}

export interface ExportResult {
  readonly outputFile: string;
  readonly manifestFile: string;
  readonly manifest: Record<string, unknown>;
  readonly columns: readonly string[];
  readonly rows: Record<string, string | null>[];
}

/** Rows with their column names, so an empty result still has a header. */
interface QueryResult {
  readonly columns: readonly string[];
  readonly rows: Record<string, string | null>[];
}

const DATE_BASIS_MEANS: Readonly<Record<DateBasis, string>> = {
  record:
    'from/to bound the record date: the day the record was filed (the run date; for decision records the decision date)',
  invoice: "from/to bound the invoice date (the invoice's own date, business.invoiceDate)",
};

/** Where exports go unless --out says otherwise: TOLLGATE_EXPORTS_DIR, else ./evidence-exports (ignored by git). */
export function defaultExportsDir(): string {
  return process.env.TOLLGATE_EXPORTS_DIR ?? 'evidence-exports';
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Runs one standard query and writes its result with a manifest that proves where it came from. */
export async function runExport(
  source: EvidenceSource,
  queryName: string,
  options: ExportOptions,
): Promise<ExportResult> {
  const query = auditorQuery(queryName);
  if (!query) {
    throw new TollgateError(
      'VALIDATION_FAILED',
      `There is no export "${queryName}". Exports: ${AUDITOR_QUERIES.map((q) => q.name).join(', ')}.`,
    );
  }
  if (!DATE.test(options.from) || !DATE.test(options.to) || options.from > options.to) {
    throw new TollgateError(
      'VALIDATION_FAILED',
      'Give --from and --to as YYYY-MM-DD, with --from not after --to.',
    );
  }
  const dateBy = options.dateBy ?? 'record';
  if (!DATE_BASES.includes(dateBy))
    throw new TollgateError('VALIDATION_FAILED', `--date-by is ${DATE_BASES.join(' or ')}.`);
  const sql = dateBy === 'invoice' ? query.byInvoiceDateSql : query.sql;
  if (sql === undefined)
    throw new TollgateError(
      'VALIDATION_FAILED',
      `Export ${query.name} has no invoice date to filter on (its records are bank statement lines); use --date-by record.`,
    );
  if (query.parameters.includes('minAmount')) {
    if (options.minAmount === undefined)
      throw new TollgateError(
        'VALIDATION_FAILED',
        `Export ${query.name} needs --min-amount (e.g. 10000.00).`,
      );
    if (!/^\d+(\.\d+)?$/.test(options.minAmount))
      throw new TollgateError('VALIDATION_FAILED', '--min-amount must be a decimal like 10000.00.');
  }
  const values = query.parameters.map((p) =>
    p === 'minAmount' ? (options.minAmount as string) : options[p],
  );

  // By invoice date, records about the period's invoices may be filed any day up to today.
  const today = new Date().toISOString().slice(0, 10);
  const coverage = await digestCoverage(
    source.store,
    options.from,
    dateBy === 'invoice' && today > options.to ? today : options.to,
  );
  const { columns, rows } =
    options.engine === 'athena'
      ? await runOnAthena(sql, values, options)
      : await runOnDuckDb(
          sql,
          values,
          source.store,
          dateBy === 'invoice' ? '0000-00-00' : options.from,
          coverage,
        );

  mkdirSync(options.outDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[-:.]/g, '');
  const outputFile = join(
    options.outDir,
    `${query.name}-${dateBy === 'invoice' ? 'invoice-dated-' : ''}${options.from}-${options.to}-${stamp}.${options.format}`,
  );
  const output = options.format === 'json' ? `${JSON.stringify(rows, null, 2)}\n` : toCsv(columns, rows);
  writeFileSync(outputFile, output);
  const manifest = {
    query: query.name,
    question: query.question,
    queryText: sql,
    querySha256: sha256Hex(sql),
    parameters: Object.fromEntries(query.parameters.map((p, i) => [p, values[i]])),
    dateBy,
    dateByMeans: DATE_BASIS_MEANS[dateBy],
    engine: options.engine,
    ranBy: options.ranBy ?? userInfo().username,
    ranAt: new Date().toISOString(),
    source: source.description,
    rowCount: rows.length,
    amountTotals: totals(rows),
    ...(query.countBy ? { rowsBy: countBy(rows, query.countBy) } : {}),
    digestRange: coverage.range,
    sourceComplete: coverage.complete,
    ...(coverage.complete ? {} : { incompleteBecause: coverage.reason }),
    undigestedRecordsExcluded: coverage.undigested,
    outputFile,
    outputSha256: sha256Hex(output),
  };
  const manifestFile = `${outputFile}.manifest.json`;
  writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  return { outputFile, manifestFile, manifest, columns, rows };
}

interface Coverage {
  readonly range: { first: { key: string; hash: string }; last: { key: string; hash: string } } | null;
  readonly complete: boolean;
  readonly reason?: string;
  /** Digested record keys and their SHA-256: what the export may read. */
  readonly listed: ReadonlyMap<string, string>;
  readonly undigested: number;
}

/** The digests whose windows overlap the period; the source is complete when they reach past its end. */
async function digestCoverage(store: EvidenceStore, from: string, to: string): Promise<Coverage> {
  const keys = (await store.list(DIGESTS_PREFIX))
    .map((o) => o.key)
    .filter(isDigestKey)
    .sort();
  const digests: (SignedDigest & { key: string })[] = [];
  for (const key of keys) {
    const stored = await store.get(key);
    if (stored) digests.push({ ...parseSignedDigest(stored.body), key });
  }
  const listed = new Map<string, string>();
  for (const { digest } of digests) for (const o of digest.objects) listed.set(o.key, o.sha256);
  const periodStart = Date.parse(`${from}T00:00:00.000Z`);
  const periodEnd = Date.parse(`${to}T00:00:00.000Z`) + 86_400_000;
  const overlapping = digests.filter(
    ({ digest }) => Date.parse(digest.windowEnd) > periodStart && Date.parse(digest.windowStart) < periodEnd,
  );
  const first = overlapping[0];
  const last = overlapping.at(-1);
  const newestEnd = digests.at(-1) ? Date.parse((digests.at(-1) as SignedDigest).digest.windowEnd) : 0;
  const complete = newestEnd >= periodEnd;
  const undigested = (await store.list(RECORDS_PREFIX)).filter((o) => !listed.has(o.key)).length;
  return {
    range:
      first && last
        ? { first: { key: first.key, hash: first.hash }, last: { key: last.key, hash: last.hash } }
        : null,
    complete,
    ...(complete
      ? {}
      : {
          reason: `the newest digest ends ${digests.at(-1)?.digest.windowEnd ?? '(none)'}, before the end of the period; records written after it are not proven complete`,
        }),
    listed,
    undigested,
  };
}

/** Downloads the digested records from `from` on, checks each against its digest, and queries them. */
async function runOnDuckDb(
  sql: string,
  values: readonly string[],
  store: EvidenceStore,
  from: string,
  coverage: Coverage,
): Promise<QueryResult> {
  const mirror = mkdtempSync(join(tmpdir(), 'tollgate-export-'));
  try {
    let files = 0;
    for (const object of await store.list(RECORDS_PREFIX)) {
      const dt = /\/dt=(\d{4}-\d{2}-\d{2})\//.exec(object.key)?.[1];
      const expected = coverage.listed.get(object.key);
      if (!dt || dt < from || expected === undefined) continue;
      const stored = await store.get(object.key);
      if (!stored) continue;
      if (sha256Hex(stored.body) !== expected) {
        throw new TollgateError(
          'CONFLICT',
          `${object.key} no longer matches its digest; run \`tollgate evidence verify\` before exporting.`,
        );
      }
      const file = join(mirror, object.key);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, stored.body);
      files++;
    }
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      // Athena (Trino) spells it array_join; DuckDB array_to_string.
      await connection.run('CREATE MACRO array_join(a, sep) AS array_to_string(a, sep)');
      const columns = EVIDENCE_COLUMNS.map((c) => `'${c.name}': '${c.duckdb}'`).join(', ');
      const typed = `${EVIDENCE_COLUMNS.map((c) => `CAST(NULL AS ${c.duckdb}) AS "${c.name}"`).join(', ')}, CAST(NULL AS VARCHAR) AS type, CAST(NULL AS VARCHAR) AS dt`;
      await connection.run(
        files > 0
          ? `CREATE VIEW ${EVIDENCE_TABLE} AS SELECT * FROM read_json('${join(mirror, RECORDS_PREFIX)}*/*/*.json', format = 'newline_delimited', hive_partitioning = true, hive_types_autocast = false, columns = {${columns}})`
          : `CREATE VIEW ${EVIDENCE_TABLE} AS SELECT ${typed} WHERE false`,
      );
      const reader = await connection.runAndReadAll(sql, [...values]);
      return {
        columns: reader.columnNames(),
        rows: reader
          .getRowObjectsJson()
          .map((row) =>
            Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? null : String(v)])),
          ),
      };
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  } finally {
    rmSync(mirror, { recursive: true, force: true });
  }
}

async function runOnAthena(
  sql: string,
  values: readonly string[],
  options: ExportOptions,
): Promise<QueryResult> {
  if (!options.athena)
    throw new TollgateError('VALIDATION_FAILED', 'Athena exports need --workgroup and --database.');
  const athena = new AthenaClient({});
  const started = await athena.send(
    new StartQueryExecutionCommand({
      QueryString: sql,
      WorkGroup: options.athena.workgroup,
      QueryExecutionContext: { Database: options.athena.database },
      ExecutionParameters: values.map((v) => `'${v.replace(/'/g, "''")}'`),
    }),
  );
  const id = started.QueryExecutionId as string;
  for (;;) {
    const state = (await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution
      ?.Status;
    if (state?.State === 'SUCCEEDED') break;
    if (state?.State === 'FAILED' || state?.State === 'CANCELLED')
      throw new Error(`Athena query ${id} ${state.State}: ${state.StateChangeReason ?? ''}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  const rows: Record<string, string | null>[] = [];
  let header: string[] | undefined;
  let token: string | undefined;
  do {
    const page = await athena.send(
      new GetQueryResultsCommand({ QueryExecutionId: id, ...(token ? { NextToken: token } : {}) }),
    );
    for (const row of page.ResultSet?.Rows ?? []) {
      const cells = (row.Data ?? []).map((d) => d.VarCharValue ?? null);
      if (!header) header = cells.map((c) => c ?? '');
      else rows.push(Object.fromEntries(header.map((h, i) => [h, cells[i] ?? null])));
    }
    token = page.NextToken;
  } while (token);
  return { columns: header ?? [], rows };
}

/** Totals per currency in exact minor units (money.ts), over the `amount`/`currency` columns. */
function totals(rows: readonly Record<string, string | null>[]): Record<string, string> {
  const sums = new Map<string, Money>();
  for (const row of rows) {
    if (!row.amount || !row.currency) continue;
    const value = money(row.amount, row.currency);
    const current = sums.get(row.currency);
    sums.set(row.currency, current ? add(current, value) : value);
  }
  return Object.fromEntries([...sums.entries()].sort().map(([c, m]) => [c, formatMoney(m)]));
}

function countBy(rows: readonly Record<string, string | null>[], column: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const row of rows) {
    const value = row[column] ?? '(none)';
    counts[value] = (counts[value] ?? 0) + 1;
  }
  return counts;
}

/** CSV with its header row, also when no row matched. */
function toCsv(header: readonly string[], rows: readonly Record<string, string | null>[]): string {
  const cell = (v: string | null | undefined) =>
    v === null || v === undefined ? '' : /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
  return `${[header.join(','), ...rows.map((row) => header.map((h) => cell(row[h])).join(','))].join('\n')}\n`;
}
