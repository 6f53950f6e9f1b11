import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import S3rver from 's3rver';
import { DEFAULT_APPROVAL_LIMITS } from '#platform/approvals/core/authority.ts';
import {
  APPROVAL_LIMITS_ENV,
  BANK_FILES_BUCKET_ENV,
  BANK_FILES_HEAD_BEFORE_PUT_ENV,
  EVIDENCE_BUCKET_ENV,
  EVIDENCE_HEAD_BEFORE_PUT_ENV,
  MODEL_PROVIDER_ENV,
  ROUTE_ROLES_ENV,
  runbookArnEnv,
  runbookVersionEnv,
  STAGE_ENV,
  TABLE_ENV,
  TABLE_IDS,
} from '#platform/aws/resource-env.ts';
import { listClaimedEvents } from '#platform/evidence/adapters/evidence-chain-dynamodb.ts';
import { S3EvidenceStore } from '#platform/evidence/adapters/evidence-store-s3.ts';
import { DIGEST_PARTITIONS, type Digest, digestUntilCaughtUp } from '#platform/evidence/core/digests.ts';
import { reconcileClaims } from '#platform/evidence/core/reconcile.ts';
import { ROUTES } from '../lib/catalog.ts';
import { PROJECT_ROOT } from '../lib/project-root.ts';
import { LocalApiGateway } from './api-gateway-local.ts';
import { loadOrCreateSigningKey, type SigningKey } from './dev-identity.ts';
import { startDynamoDbLocal } from './dynamodb-local.ts';
import { loadOrCreateDigestSigner } from './evidence-signing-key.ts';
import { FunctionHost, LOCAL_REGION } from './function-host.ts';
import { assertPortFree, freePort } from './ports.ts';
import { localTableName, provisionTables } from './provision.ts';
import { LocalStepFunctions } from './step-functions-local.ts';
import { ensureWorkRoomBuilt, WorkRoomSite } from './work-room-site.ts';

export const DEFAULT_PORT = 3000;
export const DEFAULT_DATA_DIR = join(PROJECT_ROOT, '.tollgate');
export const LOCAL_EVIDENCE_BUCKET = 'tollgate-local-evidence';
/** Payment files for the bank (outbound/) and the simulated bank's answers (inbound/). */
export const LOCAL_BANK_FILES_BUCKET = 'tollgate-local-bank-files';
/** s3rver checks SigV4 signatures against this key pair; DynamoDB Local accepts any. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
export const DEFAULT_DIGEST_INTERVAL_MS = 60_000;

export interface LocalStackOptions {
  /** API port; DynamoDB, S3 and Step Functions take the next three. 0 = any free ports. */
  readonly port: number;
  readonly dataDir: string;
  /** Keep DynamoDB in memory (tests); the rest still lives in dataDir. */
  readonly inMemory?: boolean;
  /** Exact ports, overriding `port` (a restart in the same process keeps its clients' endpoints). */
  readonly ports?: LocalPorts;
  /**
   * How often the evidence digest job runs (the EventBridge schedule's stand-in); 0 turns the timer off.
   * @default 60 000, or TOLLGATE_DIGEST_INTERVAL_SECONDS
   */
  readonly digestIntervalMs?: number;
}

export interface LocalPorts {
  readonly api: number;
  readonly dynamodb: number;
  readonly s3: number;
  readonly stepFunctions: number;
}

export interface LocalEndpoints {
  readonly api: string;
  readonly dynamodb: string;
  readonly s3: string;
  readonly stepFunctions: string;
}

/** What a running local stack writes to `<data dir>/runtime.json`, so other commands can find it. */
export interface RuntimeInfo {
  readonly pid: number;
  readonly startedAt: string;
  readonly endpoints: LocalEndpoints;
  readonly tables: Readonly<Record<string, string>>;
  readonly evidenceBucket: string;
  readonly bankFilesBucket: string;
  readonly stateMachines: Readonly<Record<string, string>>;
  readonly runbookVersions: Readonly<Record<string, string>>;
}

export interface LocalStack {
  readonly endpoints: LocalEndpoints;
  readonly dataDir: string;
  readonly stepFunctions: LocalStepFunctions;
  readonly signingKey: SigningKey;
  readonly runtime: RuntimeInfo;
  readonly ports: LocalPorts;
  /** Writes the next signed evidence digest now; `final` covers everything written so far (shutdown). */
  digestNow(options?: { final?: boolean }): Promise<{ key: string; digest: Digest }>;
  stop(): Promise<void>;
}

export class LocalStackError extends Error {
  readonly code: 'ALREADY_RUNNING' | 'PORT_IN_USE';
  constructor(code: LocalStackError['code'], message: string) {
    super(message);
    this.name = 'LocalStackError';
    this.code = code;
  }
}

export function runtimeFile(dataDir: string): string {
  return join(dataDir, 'runtime.json');
}

/** The running stack for a data folder, if one is running. */
export function readRuntime(dataDir: string): RuntimeInfo | undefined {
  const file = runtimeFile(dataDir);
  if (!existsSync(file)) return undefined;
  const info = JSON.parse(readFileSync(file, 'utf8')) as RuntimeInfo;
  try {
    process.kill(info.pid, 0);
    return info;
  } catch {
    return undefined;
  }
}

/**
 * Sets the environment a Lambda would get from the stack's binders, pointed at the local
 * servers: AWS SDK clients find them through AWS_ENDPOINT_URL_* and nothing in the handlers forks.
 */
export function applyLocalEnvironment(runtime: RuntimeInfo): void {
  Object.assign(process.env, {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: runtime.endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: runtime.endpoints.s3,
    AWS_ENDPOINT_URL_SFN: runtime.endpoints.stepFunctions,
    [EVIDENCE_BUCKET_ENV]: runtime.evidenceBucket,
    [EVIDENCE_HEAD_BEFORE_PUT_ENV]: 'true',
    [BANK_FILES_BUCKET_ENV]: runtime.bankFilesBucket,
    [BANK_FILES_HEAD_BEFORE_PUT_ENV]: 'true',
    [STAGE_ENV]: 'local',
    // Every handler shares this process, so each is told every route's roles (a Lambda, only its own).
    [ROUTE_ROLES_ENV]: JSON.stringify(
      Object.fromEntries(ROUTES.map((route) => [`${route.method} ${route.path}`, route.roles])),
    ),
    ...runtime.tables,
    ...Object.fromEntries(
      Object.entries(runtime.stateMachines).map(([runbook, arn]) => [runbookArnEnv(runbook), arn]),
    ),
    ...Object.fromEntries(
      Object.entries(runtime.runbookVersions).map(([runbook, version]) => [
        runbookVersionEnv(runbook),
        version,
      ]),
    ),
    [MODEL_PROVIDER_ENV]: 'local',
    // The stages' default limits; a deployed stage takes them from its config (cdk.json).
    [APPROVAL_LIMITS_ENV]: process.env[APPROVAL_LIMITS_ENV] ?? JSON.stringify(DEFAULT_APPROVAL_LIMITS),
    // Every handler logs into this one process; keep the console readable unless asked otherwise.
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
  });
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const running = readRuntime(dataDir);
  if (running) {
    throw new LocalStackError(
      'ALREADY_RUNNING',
      `A local stack already runs on this data folder (pid ${running.pid}, API ${running.endpoints.api}). Stop it first, or pass another --data-dir.`,
    );
  }
  const ports = options.ports ?? (await allocatePorts(options.port));
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const dynamodb = await startDynamoDbLocal({
      port: ports.dynamodb,
      ...(options.inMemory ? {} : { dataDir: join(dataDir, 'dynamodb') }),
    });
    stops.push(() => dynamodb.stop());
    const ddbClient = new DynamoDBClient({
      endpoint: dynamodb.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    await provisionTables(ddbClient);
    ddbClient.destroy();

    const s3Dir = join(dataDir, 's3');
    mkdirSync(s3Dir, { recursive: true });
    const s3 = new S3rver({
      address: '127.0.0.1',
      port: ports.s3,
      directory: s3Dir,
      silent: true,
      vhostBuckets: false,
      configureBuckets: [
        { name: LOCAL_EVIDENCE_BUCKET, configs: [] },
        { name: LOCAL_BANK_FILES_BUCKET, configs: [] },
      ],
    });
    await s3.run();
    stops.push(() => s3.close());

    const evidenceStore = new S3EvidenceStore(LOCAL_EVIDENCE_BUCKET, {
      client: new S3Client({
        endpoint: `http://127.0.0.1:${ports.s3}`,
        region: LOCAL_REGION,
        credentials: LOCAL_CREDENTIALS,
      }),
      headBeforePut: true,
    });
    const digestSigner = loadOrCreateDigestSigner(dataDir);
    let digestRun: Promise<unknown> = Promise.resolve();
    // Runs are serialised so the timer and a shutdown never write the same sequence number.
    const claimsClient = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: dynamodb.endpoint,
        region: LOCAL_REGION,
        credentials: LOCAL_CREDENTIALS,
      }),
    );
    const digestNow = (options: { final?: boolean } = {}) => {
      const run = digestRun.then(async () => {
        // The last digest first restores any claimed record whose write never landed, so it lists it.
        if (options.final)
          await reconcileClaims(await listClaimedEvents(claimsClient, localTableName('work')), evidenceStore);
        // As in AWS: only the window's partitions are listed, and a backlog is caught up in bounded windows.
        const written = await digestUntilCaughtUp(
          {
            store: evidenceStore,
            signer: digestSigner,
            now: () => new Date(),
            settleMs: options.final ? -1000 : 1000,
            partitions: DIGEST_PARTITIONS,
          },
          options.final ? 10_000 : 4,
        );
        return written.at(-1) as { key: string; digest: Digest };
      });
      digestRun = run.catch(() => undefined);
      return run;
    };
    const intervalMs = options.digestIntervalMs ?? digestIntervalFromEnv();
    const timer =
      intervalMs > 0
        ? setInterval(() => {
            digestNow().catch((error: unknown) =>
              process.stderr.write(`evidence digest failed: ${(error as Error).message}\n`),
            );
          }, intervalMs)
        : undefined;
    timer?.unref();
    // Pushed after s3rver, so on stop it runs once the API and engine are closed and before s3rver is.
    stops.push(async () => {
      clearInterval(timer);
      await digestNow({ final: true });
    });

    const host = new FunctionHost();
    const stepFunctions = new LocalStepFunctions(host, join(dataDir, 'executions'));
    const sfnEndpoint = await stepFunctions.listen(ports.stepFunctions);
    stops.push(() => stepFunctions.close());

    const runtime: RuntimeInfo = {
      pid: process.pid,
      startedAt: new Date().toISOString(),
      endpoints: {
        api: `http://127.0.0.1:${ports.api}`,
        dynamodb: dynamodb.endpoint,
        s3: `http://127.0.0.1:${ports.s3}`,
        stepFunctions: sfnEndpoint,
      },
      tables: Object.fromEntries(TABLE_IDS.map((id) => [TABLE_ENV[id], localTableName(id)])),
      evidenceBucket: LOCAL_EVIDENCE_BUCKET,
      bankFilesBucket: LOCAL_BANK_FILES_BUCKET,
      stateMachines: stepFunctions.stateMachineArns(),
      runbookVersions: stepFunctions.runbookVersions(),
    };
    applyLocalEnvironment(runtime);
    // Vendor-inquiry replies are sent to a folder locally, one .eml file per reply.
    process.env.VENDOR_INQUIRY_OUTBOX_DIR = join(dataDir, 'outbox');

    const signingKey = loadOrCreateSigningKey(dataDir);
    // The work room's page, built by the project's own script when missing or older than its sources.
    await ensureWorkRoomBuilt();
    const api = new LocalApiGateway(host, signingKey, new WorkRoomSite(signingKey));
    await api.listen(ports.api);
    stops.push(() => api.close());

    writeFileSync(runtimeFile(dataDir), JSON.stringify(runtime, null, 2));
    stops.push(async () => rmSync(runtimeFile(dataDir), { force: true }));
    let stopped: Promise<void> | undefined;
    return {
      endpoints: runtime.endpoints,
      dataDir,
      stepFunctions,
      signingKey,
      runtime,
      ports,
      digestNow,
      stop: () => {
        stopped ??= stopAll();
        return stopped;
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function digestIntervalFromEnv(): number {
  const seconds = Number(process.env.TOLLGATE_DIGEST_INTERVAL_SECONDS ?? '');
  return Number.isFinite(seconds) && seconds >= 0 && process.env.TOLLGATE_DIGEST_INTERVAL_SECONDS
    ? seconds * 1000
    : DEFAULT_DIGEST_INTERVAL_MS;
}

async function allocatePorts(base: number): Promise<LocalPorts> {
  if (base === 0) {
    return {
      api: await freePort(),
      dynamodb: await freePort(),
      s3: await freePort(),
      stepFunctions: await freePort(),
    };
  }
  const ports = { api: base, dynamodb: base + 1, s3: base + 2, stepFunctions: base + 3 };
  for (const [what, port] of Object.entries(ports)) {
    await assertPortFree(port, what).catch((error: Error) => {
      throw new LocalStackError('PORT_IN_USE', error.message);
    });
  }
  return ports;
}
