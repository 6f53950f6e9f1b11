import {
  BatchWriteCommand,
  type BatchWriteCommandOutput,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { writeIf } from '#platform/aws/conditional-write.ts';
import { dynamoDb } from '#platform/aws/dynamodb-client.ts';
import { queryPages, queryPrefix } from '#platform/aws/query-pages.ts';
import { tableName } from '#platform/aws/resource-env.ts';
import { rethrowTransient } from '#platform/aws/store-errors.ts';
import { sha256Hex } from '#platform/core/hashing.ts';
import { formatMoney, fromMinor, type Money } from '#platform/core/money.ts';
import type { CreditorAccount } from '#runbooks/payment-run/core/bank-files/payment-file.ts';
import type { ProposedPayment, RunProposal } from '#runbooks/payment-run/core/select-payments.ts';

/**
 * Payment runs in the work table. A run's header and each of its payments live under the run
 * (`PAYRUN#<run>`); a pointer per payment (`PAYMENT#<end-to-end id>`) finds the run again from a
 * bank's status report or statement line. Payments move PROPOSED → SENT → POSTED | REJECTED,
 * each step a conditional write, so a replayed file or report changes nothing twice.
 */
export type PaymentStatus = 'PROPOSED' | 'SENT' | 'POSTED' | 'REJECTED' | 'WITHDRAWN';

export interface StoredPayment {
  readonly runId: string;
  readonly paymentId: string;
  readonly holdId: string;
  readonly accountId: string;
  readonly vendorId: string;
  readonly vendorName: string;
  readonly creditor: CreditorAccount;
  readonly amount: string;
  readonly currency: string;
  readonly document: string;
  readonly sourceRunbook: string | null;
  readonly sourceExecutionId: string | null;
  readonly status: PaymentStatus;
  readonly executionDate?: string;
  readonly fileKey?: string;
  readonly statusReason?: string;
  readonly statusAt?: string;
}

export interface StoredRun {
  readonly runId: string;
  readonly accountId: string;
  readonly currency: string;
  readonly format: string;
  readonly asOf: string;
  readonly proposedAt: string;
  readonly total: string;
  readonly payments: number;
}

const table = () => tableName('work');
const runKey = (runId: string) => ({ pk: `PAYRUN#${runId}`, sk: 'RUN' });
const paymentKey = (runId: string, paymentId: string) => ({
  pk: `PAYRUN#${runId}`,
  sk: `PAYMENT#${paymentId}`,
});
const pointerKey = (paymentId: string) => ({ pk: `PAYMENT#${paymentId}`, sk: 'PAYMENT' });
const payeeKey = (vendorId: string, account: string) => ({ pk: `PAYEE#${vendorId}`, sk: `PAID#${account}` });
const releaseDayKey = (agentId: string, day: string, currency: string) => ({
  pk: `RELEASES#${agentId}`,
  sk: `DAY#${day}#${currency}`,
});

/** Payments one run holds at the most (the policy's bound, read back whole). */
const MAX_RUN_PAGES = 200;
/** BatchWriteItem takes 25 items; unprocessed ones are sent again this many times at most. */
const MAX_BATCH_RETRIES = 8;

export const sentPaymentsIndex = (accountId: string) => `PAYMENTS#${accountId}`;

async function get<T>(key: { pk: string; sk: string }): Promise<T | undefined> {
  try {
    const out = await dynamoDb.send(new GetCommand({ TableName: table(), Key: key, ConsistentRead: true }));
    return out.Item as T | undefined;
  } catch (error) {
    rethrowTransient(error);
  }
}

/** Writes items in batches of 25, resending what DynamoDB left unprocessed (bounded). */
async function putAll(items: readonly Record<string, unknown>[]): Promise<void> {
  for (let start = 0; start < items.length; start += 25) {
    let requests = items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > MAX_BATCH_RETRIES)
        throw new Error(
          `Payment run write left ${requests.length} items unprocessed after ${MAX_BATCH_RETRIES} retries.`,
        );
      let out: BatchWriteCommandOutput;
      try {
        out = await dynamoDb.send(new BatchWriteCommand({ RequestItems: { [table()]: requests } }));
      } catch (error) {
        rethrowTransient(error);
      }
      requests = (out.UnprocessedItems?.[table()] ?? []) as typeof requests;
      if (requests.length > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
    }
  }
}

/**
 * Records a proposal: its header once, each payment and its pointer. A retried step writes the
 * same items again (ids are derived from the run and the hold), so it converges on one proposal.
 */
export async function saveProposal(
  runId: string,
  asOf: string,
  proposedAt: string,
  proposal: RunProposal,
): Promise<StoredRun> {
  const existing = await getRun(runId);
  if (existing) return existing;
  const items: Record<string, unknown>[] = [];
  for (const payment of proposal.payments) {
    items.push({
      ...paymentKey(runId, payment.paymentId),
      ...paymentItem(runId, proposal.accountId, payment),
    });
    items.push({ ...pointerKey(payment.paymentId), runId, holdId: payment.holdId });
  }
  await putAll(items);
  const run: StoredRun = {
    runId,
    accountId: proposal.accountId,
    currency: proposal.currency,
    format: proposal.format,
    asOf,
    proposedAt,
    total: formatMoney(proposal.total),
    payments: proposal.payments.length,
  };
  // The header last: a run with a header has all its payments.
  await writeIf(() =>
    dynamoDb.send(
      new PutCommand({
        TableName: table(),
        Item: { ...runKey(runId), ...run },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
  return (await getRun(runId)) as StoredRun;
}

function paymentItem(runId: string, accountId: string, payment: ProposedPayment): StoredPayment {
  return {
    runId,
    paymentId: payment.paymentId,
    holdId: payment.holdId,
    accountId,
    vendorId: payment.vendorId,
    vendorName: payment.vendorName,
    creditor: payment.creditor,
    amount: formatMoney(payment.amount),
    currency: payment.amount.currency,
    document: payment.document,
    sourceRunbook: payment.source?.runbook ?? null,
    sourceExecutionId: payment.source?.executionId ?? null,
    status: 'PROPOSED',
  };
}

export function getRun(runId: string): Promise<StoredRun | undefined> {
  return get<StoredRun>(runKey(runId));
}

/** Every payment of a run, in end-to-end id order. */
export async function runPayments(runId: string): Promise<StoredPayment[]> {
  const items = await queryPrefix(table(), `PAYRUN#${runId}`, 'PAYMENT#', {
    maxPages: MAX_RUN_PAGES,
    atBound: 'refuse',
    what: `Payments of run ${runId}`,
  });
  return items as unknown as StoredPayment[];
}

/** The payment an end-to-end id names, wherever its run is. */
export async function findPayment(paymentId: string): Promise<StoredPayment | undefined> {
  const pointer = await get<{ runId: string }>(pointerKey(paymentId));
  return pointer ? get<StoredPayment>(paymentKey(pointer.runId, paymentId)) : undefined;
}

/**
 * Moves one payment on, only from the status it is expected in; returns false when it was not
 * there (already moved — a replay — or moved elsewhere). Sent payments are indexed by account and
 * execution date for the statement match.
 */
export function moveSentPayment(
  payment: Pick<StoredPayment, 'runId' | 'paymentId' | 'accountId'>,
  from: PaymentStatus,
  to: PaymentStatus,
  fields: { at: string; reason?: string; executionDate?: string; fileKey?: string },
): Promise<boolean> {
  const sent = to === 'SENT';
  return writeIf(() =>
    dynamoDb.send(
      new UpdateCommand({
        TableName: table(),
        Key: paymentKey(payment.runId, payment.paymentId),
        UpdateExpression: `SET #status = :to, statusAt = :at${fields.reason ? ', statusReason = :reason' : ''}${
          sent ? ', executionDate = :date, fileKey = :file, gsi1pk = :gpk, gsi1sk = :gsk' : ''
        }`,
        ConditionExpression: '#status = :from',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':to': to,
          ':from': from,
          ':at': fields.at,
          ...(fields.reason ? { ':reason': fields.reason } : {}),
          ...(sent
            ? {
                ':date': fields.executionDate,
                ':file': fields.fileKey,
                ':gpk': sentPaymentsIndex(payment.accountId),
                ':gsk': `${fields.executionDate}#${payment.paymentId}`,
              }
            : {}),
        },
      }),
    ),
  );
}

/** Marks the run's outcome once (released with its file, rejected, or nothing due). */
export function recordRunOutcome(
  runId: string,
  outcome: {
    status: 'RELEASED' | 'REJECTED' | 'NOTHING_DUE';
    at: string;
    files?: readonly string[];
    by?: string;
  },
): Promise<boolean> {
  return writeIf(() =>
    dynamoDb.send(
      new UpdateCommand({
        TableName: table(),
        Key: runKey(runId),
        UpdateExpression: 'SET runStatus = :s, decidedAt = :at, files = :files, decidedBy = :by',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(runStatus) OR runStatus = :s)',
        ExpressionAttributeValues: {
          ':s': outcome.status,
          ':at': outcome.at,
          ':files': outcome.files ?? [],
          ':by': outcome.by ?? null,
        },
      }),
    ),
  );
}

/** Sent or posted payments of an account executed between two dates (inclusive), for the statement match. */
export async function sentPayments(
  accountId: string,
  from: string,
  to: string,
  maxItems: number,
): Promise<StoredPayment[]> {
  const items = await queryPages<Record<string, unknown>, Record<string, unknown>>(
    (startKey, limit) =>
      dynamoDb.send(
        new QueryCommand({
          TableName: table(),
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :p AND gsi1sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':p': sentPaymentsIndex(accountId),
            ':from': `${from}#`,
            ':to': `${to}#~`,
          },
          ...(limit ? { Limit: limit } : {}),
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      ),
    { maxPages: 50, maxItems, atBound: 'refuse', what: `Payments of ${accountId} from ${from} to ${to}` },
  );
  return items as unknown as StoredPayment[];
}

/**
 * Which account of a vendor was paid, as a key that does not spell the account out: a vendor's
 * new bank account is a new payee, whatever was paid to the old one.
 */
export function payeeAccountKey(account: CreditorAccount): string {
  const plain =
    account.kind === 'iban'
      ? `iban:${account.iban.replace(/\s+/g, '').toUpperCase()}`
      : `ach:${account.routingNumber}:${account.accountNumber}`;
  return sha256Hex(plain).slice(0, 32);
}

/** Whether Tollgate has paid this vendor at this account before (a payment the bank executed). */
export async function paidBefore(vendorId: string, account: CreditorAccount): Promise<boolean> {
  return (await get(payeeKey(vendorId, payeeAccountKey(account)))) !== undefined;
}

/** The first executed payment to a vendor's account, kept once. */
export async function markPayeePaid(
  vendorId: string,
  account: CreditorAccount,
  paymentId: string,
  at: string,
): Promise<void> {
  await writeIf(() =>
    dynamoDb.send(
      new PutCommand({
        TableName: table(),
        Item: {
          ...payeeKey(vendorId, payeeAccountKey(account)),
          vendorId,
          firstPaymentId: paymentId,
          firstPaidAt: at,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
}

/** What an agent released today in a currency. */
export async function releasedOn(agentId: string, day: string, currency: string): Promise<Money> {
  const item = await get<{ used?: number | string }>(releaseDayKey(agentId, day, currency));
  return fromMinor(BigInt(item?.used ?? 0), currency);
}

/**
 * Counts a release against the agent's day, only if it still fits (used ≤ daily − amount): the
 * gate's check made again where the money moves. Keyed by run, so a retried step counts once.
 */
export async function chargeRelease(
  agentId: string,
  runId: string,
  day: string,
  amount: Money,
  dailyLimit: Money,
): Promise<'charged' | 'already' | 'over_limit'> {
  const room = dailyLimit.minor - amount.minor;
  if (room < 0n) return 'over_limit';
  try {
    // The run's marker and the day's counter together: a retry after a crash cannot count twice.
    await dynamoDb.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: table(),
              Item: { pk: `RELEASES#${agentId}`, sk: `RUN#${runId}`, amount: formatMoney(amount), day },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Update: {
              TableName: table(),
              Key: releaseDayKey(agentId, day, amount.currency),
              UpdateExpression: 'ADD used :a',
              ConditionExpression: 'attribute_not_exists(used) OR used <= :room',
              ExpressionAttributeValues: { ':a': Number(amount.minor), ':room': Number(room) },
            },
          },
        ],
      }),
    );
    return 'charged';
  } catch (error) {
    const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
    if (reasons?.[0]?.Code === 'ConditionalCheckFailed') return 'already';
    if (reasons?.[1]?.Code === 'ConditionalCheckFailed') return 'over_limit';
    rethrowTransient(error);
  }
}

const MODIFIERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * The NACHA file id modifier of a run's file: A, B, … per destination and day (at most 36 files a
 * day, the format's own limit), allocated once per run and kept on its header.
 */
export async function nachaFileIdModifier(runId: string, destination: string, day: string): Promise<string> {
  const known = (await get<{ fileIdModifier?: string }>(runKey(runId)))?.fileIdModifier;
  if (known) return known;
  let next: number;
  try {
    const out = await dynamoDb.send(
      new UpdateCommand({
        TableName: table(),
        Key: { pk: `NACHAFILES#${destination}`, sk: `DAY#${day}` },
        UpdateExpression: 'ADD files :one',
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    next = Number(out.Attributes?.files ?? 0);
  } catch (error) {
    rethrowTransient(error);
  }
  const modifier = MODIFIERS[next - 1];
  if (!modifier)
    throw new Error(
      `More than ${MODIFIERS.length} ACH files to ${destination} on ${day}; send the rest tomorrow.`,
    );
  await writeIf(() =>
    dynamoDb.send(
      new UpdateCommand({
        TableName: table(),
        Key: runKey(runId),
        UpdateExpression: 'SET fileIdModifier = :m',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(fileIdModifier)',
        ExpressionAttributeValues: { ':m': modifier },
      }),
    ),
  );
  // Whichever attempt set it first wins; every attempt uses that one.
  return (await get<{ fileIdModifier: string }>(runKey(runId)))?.fileIdModifier as string;
}

/**
 * A bank file the inbox has dealt with: one marker per key and content (SHA-256), so the same
 * bytes delivered again are ignored and new bytes under the same name are a new file.
 */
export interface BankFileMarker {
  readonly fileKey: string;
  readonly sha256: string;
  /** S3's entity tag when it was read: a listing that shows the same tag needs no second read. */
  readonly etag: string;
  readonly outcome: 'APPLIED' | 'REFUSED' | 'ACKNOWLEDGED';
  /** The refusal code, for a refused file. */
  readonly code?: string;
  readonly runId?: string | null;
  readonly messageId?: string;
  readonly processedAt: string;
}

const bankFileMarkerKey = (fileKey: string, sha256: string) => ({
  pk: `BANKFILE#${fileKey}`,
  sk: `SHA256#${sha256}`,
});
const BANK_INBOX_CURSOR_KEY = { pk: 'BANKINBOX', sk: 'CURSOR' };
/** Versions of one key the inbox keeps markers for, read back whole. */
const MAX_MARKER_PAGES = 5;

/** Every marker of one key (each content it has had), oldest content first by hash order. */
export async function bankFileMarkers(fileKey: string): Promise<BankFileMarker[]> {
  const items = await queryPrefix(table(), `BANKFILE#${fileKey}`, 'SHA256#', {
    maxPages: MAX_MARKER_PAGES,
    atBound: 'refuse',
    what: `Markers of bank file ${fileKey}`,
  });
  return items as unknown as BankFileMarker[];
}

export function getBankFileMarker(fileKey: string, sha256: string): Promise<BankFileMarker | undefined> {
  return get<BankFileMarker>(bankFileMarkerKey(fileKey, sha256));
}

/** Records a file as dealt with, once; false when it already was (the first record stands). */
export function markBankFileProcessed(marker: BankFileMarker): Promise<boolean> {
  return writeIf(() =>
    dynamoDb.send(
      new PutCommand({
        TableName: table(),
        Item: { ...bankFileMarkerKey(marker.fileKey, marker.sha256), ...marker },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
}

/** Where the inbox's rolling scan of `inbound/` goes on from; undefined = from the start. */
export async function bankInboxCursor(): Promise<string | undefined> {
  return (await get<{ afterKey?: string }>(BANK_INBOX_CURSOR_KEY))?.afterKey;
}

export async function saveBankInboxCursor(afterKey: string | undefined, at: string): Promise<void> {
  try {
    await dynamoDb.send(
      new PutCommand({
        TableName: table(),
        Item: { ...BANK_INBOX_CURSOR_KEY, ...(afterKey ? { afterKey } : {}), at },
      }),
    );
  } catch (error) {
    rethrowTransient(error);
  }
}

/** A sent payment as the statement match sees it: reconciled once a statement debit was matched to it. */
export type ReconcilablePayment = StoredPayment & {
  /** The statement entry (`<account>#<entry ref>`) matched to it. */
  readonly reconciledEntry?: string;
  readonly reconciledBy?: string;
  readonly reconciledAt?: string;
};

/**
 * The conditional update that marks a sent (or posted) payment reconciled to one statement entry,
 * for a reconciliation that writes it in one transaction with its own record of the entry. Only
 * once: a payment already matched to another entry fails the condition.
 */
export function reconcilePaymentUpdate(
  payment: Pick<StoredPayment, 'runId' | 'paymentId'>,
  mark: { entryKey: string; executionId: string; at: string },
) {
  return {
    TableName: table(),
    Key: paymentKey(payment.runId, payment.paymentId),
    UpdateExpression: 'SET reconciledEntry = :entry, reconciledBy = :by, reconciledAt = :at',
    ConditionExpression:
      '#status IN (:sent, :posted) AND (attribute_not_exists(reconciledEntry) OR reconciledEntry = :entry)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':entry': mark.entryKey,
      ':by': mark.executionId,
      ':at': mark.at,
      ':sent': 'SENT',
      ':posted': 'POSTED',
    },
  };
}

/** Marks a sent payment reconciled to a statement entry; false when it is not sent or is another entry's. */
export function markPaymentReconciled(
  payment: Pick<StoredPayment, 'runId' | 'paymentId'>,
  mark: { entryKey: string; executionId: string; at: string },
): Promise<boolean> {
  return writeIf(() => dynamoDb.send(new UpdateCommand(reconcilePaymentUpdate(payment, mark))));
}

/**
 * Notes that the content with this entity tag at `fileKey` is a statement, left for the
 * bank-reconciliation runbook: not a processed marker, only so the inbox does not read it again.
 */
export async function noteBankStatement(fileKey: string, etag: string, at: string): Promise<void> {
  try {
    await dynamoDb.send(
      new PutCommand({
        TableName: table(),
        Item: { pk: `BANKFILE#${fileKey}`, sk: `STATEMENT#${etag}`, fileKey, etag, seenAt: at },
      }),
    );
  } catch (error) {
    rethrowTransient(error);
  }
}

export async function isNotedBankStatement(fileKey: string, etag: string): Promise<boolean> {
  return (await get({ pk: `BANKFILE#${fileKey}`, sk: `STATEMENT#${etag}` })) !== undefined;
}
