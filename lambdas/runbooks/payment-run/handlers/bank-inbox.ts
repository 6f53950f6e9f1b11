import type { Context } from 'aws-lambda';
import { logger } from '#platform/aws/logger.ts';
import {
  MissingConfigurationError,
  requireEnv,
  runbookArnEnv,
  runbookVersionEnv,
} from '#platform/aws/resource-env.ts';
import { S3BankFiles } from '#platform/bank/adapters/bank-files-s3.ts';
import type { InboundBankFile } from '#platform/bank/core/ports.ts';
import { TollgateError } from '#platform/core/errors.ts';
import { sha256Hex } from '#platform/core/hashing.ts';
import { formatMoney } from '#platform/core/money.ts';
import type { Principal } from '#platform/core/principal.ts';
import { DynamoDbEscrowLedger } from '#platform/escrow/adapters/escrow-ledger-dynamodb.ts';
import type { HoldView } from '#platform/escrow/core/escrow-ledger.ts';
import { DynamoDbEvidenceChain } from '#platform/evidence/adapters/evidence-chain-dynamodb.ts';
import { evidenceWriter } from '#platform/evidence/adapters/evidence-writer.ts';
import type { EvidenceInput } from '#platform/evidence/core/records.ts';
import { openException } from '#platform/exceptions/adapters/exceptions-dynamodb.ts';
import { updateCase } from '#platform/runs/adapters/case-store-dynamodb.ts';
import { DynamoDbExecutionIndex } from '#platform/runs/adapters/execution-index-dynamodb.ts';
import { StepFunctionsRunbookEngine } from '#platform/runs/adapters/runbook-engine-sfn.ts';
import { startRunbook } from '#platform/runs/core/executions.ts';
import {
  type BankFileMarker,
  bankFileMarkers,
  bankInboxCursor,
  findPayment,
  isNotedBankStatement,
  markBankFileProcessed,
  markPayeePaid,
  moveSentPayment,
  noteBankStatement,
  type StoredPayment,
  saveBankInboxCursor,
} from '#runbooks/payment-run/adapters/payment-runs-dynamodb.ts';
import { runMessageId } from '#runbooks/payment-run/core/bank-file-for-run.ts';
import { MAX_FILE_CHARACTERS } from '#runbooks/payment-run/core/bank-files/payment-file.ts';
import {
  bankFileId,
  classifyBankFile,
  endToEndIds,
  planStatusReport,
  type StatusAction,
  type StatusReportPlan,
  type StatusReportRefusal,
} from '#runbooks/payment-run/core/status-report.ts';
import { runbookModules } from '#runbooks/registry.ts';

const RUNBOOK = 'payment-run';
const ACTOR = { kind: 'system', id: 'payment-bank-inbox' } as const;

/** Keys of `inbound/` looked at per invocation; the scan goes on from there next time. */
const MAX_KEYS_EXAMINED = 2000;
const LIST_PAGE = 500;
/** Files read per invocation (each a download and a hash). */
const MAX_FILES_READ = 20;
/** A report larger than the largest payment file we write is not one of ours. */
const MAX_FILE_BYTES = MAX_FILE_CHARACTERS;
/** No new file is started with less time than this left: one large report must finish in it. */
const TIME_RESERVE_MS = 90_000;
/** Payments read or moved at once; bounded so one report does not flood the tables. */
const CONCURRENCY = 16;
/** Execution whose ReleaseRun record carries the run's version, when the function has no version in its env. */
const RELEASE_EVENT = 'ReleaseRun/action';

const ledger = new DynamoDbEscrowLedger();
const chain = new DynamoDbEvidenceChain();
let bankFiles: S3BankFiles | undefined;

export interface BankInboxResult {
  readonly examined: number;
  readonly read: number;
  readonly applied: readonly string[];
  readonly refused: readonly { fileKey: string; code: string }[];
  readonly acknowledged: readonly string[];
  /** camt.053/camt.054 statements, left for the bank-reconciliation runbook (not marked). */
  readonly statements: readonly string[];
  readonly alreadyProcessed: number;
  readonly failed: readonly string[];
}

/**
 * Scheduled (every 5 minutes, one at a time): the bank's answers under `inbound/`. Each new
 * pain.002 is checked whole against the payments it names and then applied — final acceptances
 * post their holds, rejections void them and go to a person — or refused whole, with an
 * exception and evidence, changing nothing. A marker per file key and content makes each file
 * count once. Statements are left for the bank-reconciliation runbook, never marked (only noted
 * by entity tag so they are not downloaded again). Work is bounded per
 * invocation; a rolling cursor takes the scan on from where the last one stopped.
 */
export const handler = async (_event: unknown, context?: Context): Promise<BankInboxResult> => {
  if (context) logger.addContext(context);
  const remainingMs = () => context?.getRemainingTimeInMillis() ?? Number.POSITIVE_INFINITY;
  bankFiles ??= S3BankFiles.fromEnvironment();
  const files = bankFiles;
  const result = {
    examined: 0,
    read: 0,
    applied: [] as string[],
    refused: [] as { fileKey: string; code: string }[],
    acknowledged: [] as string[],
    statements: [] as string[],
    alreadyProcessed: 0,
    failed: [] as string[],
  };

  const start = await bankInboxCursor();
  // From the cursor to the end, then once round from the start up to the cursor.
  let afterKey = start;
  let wrapped = start === undefined;
  scan: while (result.examined < MAX_KEYS_EXAMINED) {
    const limit = Math.min(LIST_PAGE, MAX_KEYS_EXAMINED - result.examined);
    const page = await files.listInbound({ ...(afterKey ? { afterKey } : {}), limit });
    for (const file of page) {
      if (wrapped && start !== undefined && file.key > start) break scan;
      if (result.read >= MAX_FILES_READ || remainingMs() < TIME_RESERVE_MS) break scan;
      result.examined++;
      try {
        const { outcome, read } = await examine(files, file);
        if (read) result.read++;
        if (outcome === 'already') result.alreadyProcessed++;
        else if (outcome === 'statement') result.statements.push(file.key);
        else if (outcome === 'applied') result.applied.push(file.key);
        else if (outcome === 'acknowledged') result.acknowledged.push(file.key);
        else result.refused.push({ fileKey: file.key, code: outcome.refused });
      } catch (error) {
        // Not marked: the next pass over this key tries again; the others go on meanwhile.
        logger.error('bank file not processed', { fileKey: file.key, error: error as Error });
        result.failed.push(file.key);
      }
      afterKey = file.key;
    }
    if (page.length < limit) {
      afterKey = undefined;
      if (wrapped) break;
      wrapped = true;
    }
  }
  await saveBankInboxCursor(afterKey, new Date().toISOString());
  logger.info('bank inbox pass finished', { ...result });
  if (result.failed.length > 0)
    throw new Error(
      `Bank inbox: ${result.failed.length} file(s) not processed (${result.failed.slice(0, 5).join(', ')}); they are tried again on the next pass.`,
    );
  return result;
};

/** Who starts the reconciliation of a statement the bank delivered: the inbox, not a person. */
export const BANK_INBOX: Principal = {
  userId: 'tollgate-bank-inbox',
  username: 'tollgate-bank-inbox',
  roles: ['platform_admin'],
};

const runs = {
  index: new DynamoDbExecutionIndex(),
  engine: new StepFunctionsRunbookEngine(),
  stateMachineArn: (runbook: string) => requireEnv(runbookArnEnv(runbook)),
  now: () => new Date(),
  runbooks: runbookModules,
};

/**
 * A statement starts one bank-reconciliation run, keyed by its content: the same bytes seen again
 * (a crash before the note, a re-delivery under another name) replay that run, never a second one.
 */
async function startReconciliation(statementKey: string, sha256: string): Promise<void> {
  const { record, replayed } = await startRunbook(runs, {
    runbook: 'bank-reconciliation',
    idempotencyKey: `statement:${sha256.slice(0, 64)}`,
    body: { statementKey },
    principal: BANK_INBOX,
  });
  logger.info('bank statement handed to reconciliation', {
    statementKey,
    executionId: record.executionId,
    replayed,
  });
}

type Outcome = 'already' | 'statement' | 'applied' | 'acknowledged' | { refused: string };

/** One listed file: skipped when its content was dealt with, else read, planned, applied or refused. */
async function examine(
  files: S3BankFiles,
  file: InboundBankFile,
): Promise<{ outcome: Outcome; read: boolean }> {
  const markers = await bankFileMarkers(file.key);
  // The listing's entity tag spares a download when this content was dealt with or seen to be a statement.
  if (file.etag && markers.some((m) => m.etag === file.etag)) return { outcome: 'already', read: false };
  if (file.etag && (await isNotedBankStatement(file.key, file.etag)))
    return { outcome: 'statement', read: false };
  return { outcome: await readAndDecide(files, file, markers), read: true };
}

async function readAndDecide(
  files: S3BankFiles,
  file: InboundBankFile,
  markers: readonly BankFileMarker[],
): Promise<Outcome> {
  let bytes: Uint8Array;
  try {
    bytes = await files.getInbound(file.key, MAX_FILE_BYTES);
  } catch (error) {
    if (!(error instanceof TollgateError) || error.code !== 'BANK_FILE_INVALID') throw error;
    // Too large to read: refused by what the listing says of it.
    return refuse(file, `etag-${file.etag}`, '', {
      outcome: 'refuse',
      code: 'FILE_UNREADABLE',
      message: `${error.message}`,
      runId: null,
    });
  }
  const sha256 = sha256Hex(bytes);
  if (markers.some((m) => m.sha256 === sha256)) return 'already';
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return refuse(file, sha256, '', {
      outcome: 'refuse',
      code: 'FILE_UNREADABLE',
      message: `Bank file ${file.key} is not UTF-8 text; it is neither a status report nor a statement. Ask the bank what it sent.`,
      runId: null,
    });
  }
  const kind = classifyBankFile(text);
  // Statements belong to the bank-reconciliation runbook; left unmarked for it.
  if (kind === 'statement') {
    await startReconciliation(file.key, sha256);
    if (file.etag) await noteBankStatement(file.key, file.etag, new Date().toISOString());
    return 'statement';
  }
  if (kind === 'unknown') {
    return refuse(file, sha256, text, {
      outcome: 'refuse',
      code: 'UNKNOWN_FILE_TYPE',
      message: `Bank file ${file.key} is neither a pain.002 status report nor a camt.053/camt.054 statement; nothing was applied. Ask the bank what it sent.`,
      runId: null,
    });
  }

  const payments = await readPayments(endToEndIds(text));
  const holds = await readHolds([...payments.values()]);
  const plan = planStatusReport(text, { payments, holds, messageIdOfRun: runMessageId });
  if (plan.outcome === 'refuse') return refuse(file, sha256, text, plan);
  if (plan.runId === null) {
    // A bare acknowledgement (no transaction statuses): nothing to apply, nothing to record against a run.
    await markBankFileProcessed(marker(file, sha256, 'ACKNOWLEDGED', { messageId: plan.messageId }));
    return 'acknowledged';
  }
  await apply(file, sha256, text, plan, plan.runId, payments);
  return 'applied';
}

async function readPayments(ids: readonly string[]): Promise<Map<string, StoredPayment | undefined>> {
  const found = await eachBounded(ids, (id) => findPayment(id));
  return new Map(ids.map((id, index) => [id, found[index]]));
}

async function readHolds(
  payments: readonly (StoredPayment | undefined)[],
): Promise<Map<string, HoldView | undefined>> {
  const holdIds = [...new Set(payments.flatMap((p) => (p ? [p.holdId] : [])))];
  const found = await eachBounded(holdIds, (id) => ledger.getHold(id));
  return new Map(holdIds.map((id, index) => [id, found[index]]));
}

/**
 * Applies a checked plan. Each payment's effects are idempotent (operation ids derived from the
 * payment, exceptions from their cause) and its status moves last, so a retry after a crash
 * redoes what was left and a report applied once changes nothing the second time.
 */
async function apply(
  file: InboundBankFile,
  sha256: string,
  text: string,
  plan: StatusReportPlan,
  runId: string,
  payments: ReadonlyMap<string, StoredPayment | undefined>,
): Promise<void> {
  const at = new Date().toISOString();
  await eachBounded(plan.actions, async (action) => {
    const payment = payments.get(action.payment.paymentId) as StoredPayment;
    if (action.kind === 'post') await post(payment, at);
    else if (action.kind === 'void') await reject(payment, action.reason, file.key, at);
  });

  const fileId = bankFileId(file.key, sha256);
  const rejectionCodes = [
    ...new Set(plan.actions.flatMap((a) => (a.kind === 'void' ? [a.transaction.reasonCode ?? 'RJCT'] : []))),
  ];
  await recordOnce(runId, {
    recordType: 'action',
    eventKey: `BankStatusReport/${fileId}`,
    actor: ACTOR,
    details: {
      action: 'bank_status_applied',
      fileKey: file.key,
      sha256,
      messageId: plan.messageId,
      originalMessageId: plan.originalMessageId,
      runId,
      ...plan.counts,
    },
    business: {
      decision: 'BANK_STATUS_APPLIED',
      ...(plan.posted ? { amount: formatMoney(plan.posted), currency: plan.posted.currency } : {}),
      ...(rejectionCodes.length > 0 ? { reasonCodes: rejectionCodes } : {}),
    },
    payloads: [
      { name: 'status-report', contentType: 'application/xml', body: text },
      {
        name: 'applied-statuses',
        contentType: 'application/json',
        body: JSON.stringify(plan.actions.map(actionSummary)),
      },
    ],
  });
  await markBankFileProcessed(marker(file, sha256, 'APPLIED', { runId, messageId: plan.messageId }));
  logger.info('bank status report applied', { fileKey: file.key, runId, ...plan.counts });
}

/** Final acceptance: the hold posted (the money left), the payee paid, then the payment POSTED. */
async function post(payment: StoredPayment, at: string): Promise<void> {
  await ledger.post({ operationId: `bank-post:${payment.paymentId}`, holdId: payment.holdId });
  await markPayeePaid(payment.vendorId, payment.creditor, payment.paymentId, at);
  await moveSentPayment(payment, 'SENT', 'POSTED', { at });
}

/**
 * Rejection: the hold voided back to available, a person asked to look at it, the invoice's case
 * told, then the payment REJECTED with the bank's reason.
 */
async function reject(payment: StoredPayment, reason: string, fileKey: string, at: string): Promise<void> {
  // A fixed reason: the ledger's operation stays the same whichever report carries the rejection.
  await ledger.void({
    operationId: `bank-void:${payment.paymentId}`,
    holdId: payment.holdId,
    reason: `bank rejected payment ${payment.paymentId}`,
  });
  await openException({
    exceptionId: `payment-rejected:${payment.paymentId}`,
    kind: 'PAYMENT_REJECTED',
    runbook: RUNBOOK,
    executionId: payment.runId,
    summary: `The bank rejected payment ${payment.paymentId} of ${payment.amount} ${payment.currency} to ${payment.vendorName} (${reason}); the money is back in ${payment.accountId}. Correct the cause and release the invoice again.`,
    requiredRole: 'ap_clerk',
    amount: payment.amount,
    currency: payment.currency,
    refs: {
      paymentId: payment.paymentId,
      holdId: payment.holdId,
      runId: payment.runId,
      fileKey,
      ...(payment.sourceExecutionId ? { invoiceExecutionId: payment.sourceExecutionId } : {}),
      ...(payment.sourceRunbook ? { invoiceRunbook: payment.sourceRunbook } : {}),
    },
    openedAt: at,
  });
  if (payment.sourceExecutionId) {
    await updateCase(payment.sourceExecutionId, {
      payment: { status: 'REJECTED', reason, paymentId: payment.paymentId },
    });
  }
  await moveSentPayment(payment, 'SENT', 'REJECTED', { at, reason });
}

/** A refused file: nothing moves; a person is asked, the refusal recorded, the file marked so it is refused once. */
async function refuse(
  file: InboundBankFile,
  sha256: string,
  text: string,
  refusal: StatusReportRefusal,
): Promise<Outcome> {
  const fileId = bankFileId(file.key, sha256);
  // A file that names no run of ours is recorded under an execution of its own.
  const executionId = refusal.runId ?? `bank-file-${fileId}`;
  const at = new Date().toISOString();
  await openException({
    exceptionId: `bank-file-refused:${fileId}`,
    kind: 'BANK_FILE_REFUSED',
    runbook: RUNBOOK,
    executionId,
    summary: `Bank file ${file.key} was refused (${refusal.code}): ${refusal.message}`,
    requiredRole: 'controller',
    refs: {
      fileKey: file.key,
      sha256,
      code: refusal.code,
      ...(refusal.runId ? { runId: refusal.runId } : {}),
      ...(refusal.endToEndId ? { paymentId: refusal.endToEndId } : {}),
    },
    openedAt: at,
  });
  await recordOnce(executionId, {
    recordType: 'escalation',
    eventKey: `BankFileRefused/${fileId}`,
    actor: ACTOR,
    details: {
      action: 'bank_file_refused',
      fileKey: file.key,
      sha256,
      code: refusal.code,
      ...(refusal.rule ? { rule: refusal.rule } : {}),
      ...(refusal.endToEndId ? { endToEndId: refusal.endToEndId } : {}),
      message: refusal.message,
    },
    business: { decision: 'REFUSED', reasonCodes: [refusal.code] },
    ...(text
      ? { payloads: [{ name: 'bank-file', contentType: 'application/octet-stream', body: text }] }
      : {}),
  });
  await markBankFileProcessed(marker(file, sha256, 'REFUSED', { code: refusal.code, runId: refusal.runId }));
  logger.warn('bank file refused', { fileKey: file.key, code: refusal.code, runId: refusal.runId });
  return { refused: refusal.code };
}

/** Writes the record unless an earlier attempt did (a crash before the file was marked). */
async function recordOnce(
  executionId: string,
  record: Omit<EvidenceInput, 'runbook' | 'runbookVersion' | 'executionId'>,
): Promise<void> {
  if (await chain.findEvent(executionId, record.eventKey)) return;
  await evidenceWriter().append({
    ...record,
    runbook: RUNBOOK,
    runbookVersion: await runbookVersionFor(executionId),
    executionId,
  });
}

/**
 * The payment run's version: the deployed one when the function is told it, else the one the run
 * itself recorded when it released its bank file.
 */
async function runbookVersionFor(executionId: string): Promise<string> {
  const variable = runbookVersionEnv(RUNBOOK);
  const configured = process.env[variable];
  if (configured) return configured;
  const released = await chain.findEvent(executionId, RELEASE_EVENT);
  if (released) return released.record.runbookVersion;
  throw new MissingConfigurationError(variable);
}

function marker(
  file: InboundBankFile,
  sha256: string,
  outcome: BankFileMarker['outcome'],
  fields: { code?: string; runId?: string | null; messageId?: string },
): BankFileMarker {
  return {
    fileKey: file.key,
    sha256,
    etag: file.etag,
    outcome,
    processedAt: new Date().toISOString(),
    ...fields,
  };
}

function actionSummary(action: StatusAction) {
  return {
    paymentId: action.payment.paymentId,
    holdId: action.payment.holdId,
    action: action.kind,
    ...(action.kind === 'none' ? { why: action.why } : {}),
    isoStatus: action.transaction.isoStatus,
    reasonCode: action.transaction.reasonCode,
  };
}

/** Runs `work` over `items`, at most CONCURRENCY at a time. */
async function eachBounded<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(CONCURRENCY, items.length) }, async () => {
    for (let index = next++; index < items.length; index = next++)
      results[index] = await work(items[index] as T);
  });
  await Promise.all(lanes);
  return results;
}
