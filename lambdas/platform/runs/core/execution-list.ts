import { TollgateError } from '#platform/core/errors.ts';
import type { Principal } from '#platform/core/principal.ts';
import {
  type ExecutionRecord,
  type ExecutionState,
  type ExecutionStatus,
  mayReadExecution,
  type RunbookEngine,
} from './executions.ts';

/** One page of one runbook's executions from the index, newest first. */
export interface ExecutionPage {
  readonly records: readonly ExecutionRecord[];
  /** Where the next page of this runbook starts; absent at the end. */
  readonly next?: Readonly<Record<string, unknown>>;
}

/** Port: the execution index listed by runbook and creation time (gsi1 of the work table). */
export interface ExecutionListing {
  /**
   * A runbook's executions with `low <= createdAt#executionId <= high`, newest first;
   * `requestedByUserId` narrows to one requester's.
   */
  pageByRunbook(query: {
    readonly runbook: string;
    readonly low: string;
    readonly high: string;
    readonly pageSize: number;
    readonly requestedByUserId?: string;
    readonly startKey?: Readonly<Record<string, unknown>>;
  }): Promise<ExecutionPage>;
}

export interface ListExecutionsDeps {
  readonly listing: ExecutionListing;
  readonly engine: RunbookEngine;
  readonly runbooks: () => readonly string[];
}

export interface ListExecutionsQuery {
  readonly runbook?: string;
  readonly status?: ExecutionStatus;
  readonly requestedBy?: string;
  readonly from?: string;
  readonly to?: string;
  readonly limit: number;
  readonly nextToken?: string;
}

export interface ListedExecution {
  readonly record: ExecutionRecord;
  readonly state: ExecutionState;
}

export const DEFAULT_LIST_LIMIT = 20;
export const MAX_LIST_LIMIT = 100;
/** The most entries one request examines (each costs a DescribeExecution); a page cut short here carries a nextToken. */
export const MAX_EXAMINED_PER_REQUEST = 200;
const INDEX_PAGE_SIZE = 50;
const MAX_EMPTY_READS = 10;

export const LIST_PARAMETERS = [
  'runbook',
  'status',
  'requestedBy',
  'from',
  'to',
  'limit',
  'nextToken',
] as const;
const STATUSES: readonly ExecutionStatus[] = [
  'NOT_STARTED',
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'ABORTED',
  'PENDING_REDRIVE',
];
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z$/;
const SORT_KEY = /^\d{4}-\d{2}-\d{2}T[0-9:.]+Z#[a-f0-9]{40}$/;

const invalid = (message: string) => new TollgateError('VALIDATION_FAILED', message);

/** Reads and checks the query string of GET /executions; every problem is a 400 that names the parameter. */
export function parseListQuery(
  params: Readonly<Record<string, string | undefined>> | null,
  knownRunbooks: readonly string[],
): ListExecutionsQuery {
  const given = params ?? {};
  const unknown = Object.keys(given).filter((name) => !(LIST_PARAMETERS as readonly string[]).includes(name));
  if (unknown.length > 0)
    throw invalid(`Unknown query parameter ${unknown.join(', ')}; use ${LIST_PARAMETERS.join(', ')}.`);
  const { runbook, status, requestedBy, from, to, limit, nextToken } = given;
  if (runbook !== undefined && !knownRunbooks.includes(runbook))
    throw invalid(`runbook: there is no runbook "${runbook}". Known: ${knownRunbooks.join(', ')}.`);
  if (status !== undefined && !(STATUSES as readonly string[]).includes(status))
    throw invalid(`status: "${status}" is not a status. Use one of ${STATUSES.join(', ')}.`);
  if (requestedBy !== undefined && !/^[A-Za-z0-9._@+-]{1,128}$/.test(requestedBy))
    throw invalid('requestedBy: give a username (letters, digits, . _ @ + -).');
  for (const [name, value] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (
      value !== undefined &&
      (!(DATE.test(value) || DATE_TIME.test(value)) || Number.isNaN(Date.parse(value)))
    )
      throw invalid(`${name}: give a date YYYY-MM-DD or a UTC time like 2026-01-31T09:30:00Z.`);
  }
  if (from !== undefined && to !== undefined && from.slice(0, 10) > to.slice(0, 10))
    throw invalid('from is after to; give from <= to.');
  let pageLimit = DEFAULT_LIST_LIMIT;
  if (limit !== undefined) {
    pageLimit = Number(limit);
    if (!/^\d+$/.test(limit) || pageLimit < 1 || pageLimit > MAX_LIST_LIMIT)
      throw invalid(`limit: give a whole number from 1 to ${MAX_LIST_LIMIT}.`);
  }
  if (nextToken !== undefined) decodeToken(nextToken);
  return {
    ...(runbook !== undefined ? { runbook } : {}),
    ...(status !== undefined ? { status: status as ExecutionStatus } : {}),
    ...(requestedBy !== undefined ? { requestedBy } : {}),
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    limit: pageLimit,
    ...(nextToken !== undefined ? { nextToken } : {}),
  };
}

/** The paging token: the index sort key of the last entry read; the next page starts strictly below it. */
function encodeToken(before: string): string {
  return Buffer.from(JSON.stringify({ v: 1, before }), 'utf8').toString('base64url');
}

function decodeToken(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      v?: unknown;
      before?: unknown;
    };
    if (parsed.v === 1 && typeof parsed.before === 'string' && SORT_KEY.test(parsed.before))
      return parsed.before;
  } catch {
    // fall through to the one answer for every bad token
  }
  throw invalid(
    'nextToken: not a token this API gave out. Send the nextToken of the previous page unchanged.',
  );
}

const isoOf = (time: string): string => new Date(time).toISOString();

export const sortKeyOf = (record: ExecutionRecord): string => `${record.createdAt}#${record.executionId}`;

/** The runbook's stream of index entries, newest first, read a page at a time. */
class RunbookStream {
  private buffer: ExecutionRecord[] = [];
  private startKey: Readonly<Record<string, unknown>> | undefined;
  private exhausted = false;
  /** Set when the read bound stopped this stream: the index position below which it has not read. */
  stalledAt: string | undefined;

  private readonly listing: ExecutionListing;
  private readonly query: Omit<Parameters<ExecutionListing['pageByRunbook']>[0], 'startKey'>;

  constructor(listing: ExecutionListing, query: RunbookStream['query']) {
    this.listing = listing;
    this.query = query;
  }

  /** The next entry without taking it; undefined when the runbook has no more. */
  async peek(): Promise<ExecutionRecord | undefined> {
    // Bounded: a page can come back empty (filtered out); after MAX_EMPTY_READS the stream stalls.
    this.stalledAt = undefined;
    for (let reads = 0; this.buffer.length === 0 && !this.exhausted; reads++) {
      if (reads === MAX_EMPTY_READS) {
        this.stalledAt = String(this.startKey?.gsi1sk ?? '');
        return undefined;
      }
      const page = await this.listing.pageByRunbook({
        ...this.query,
        ...(this.startKey ? { startKey: this.startKey } : {}),
      });
      this.buffer.push(...page.records);
      this.startKey = page.next;
      if (!page.next) this.exhausted = true;
    }
    return this.buffer[0];
  }

  take(): ExecutionRecord | undefined {
    return this.buffer.shift();
  }
}

/**
 * GET /executions: the caller's visible executions, newest first, merged across runbooks from
 * the index (one query per runbook, never a scan). A requester sees their own; controllers,
 * auditors and platform admins see all (`mayReadExecution`). At most MAX_EXAMINED_PER_REQUEST
 * entries are read per request; a page cut short there still carries a nextToken.
 */
export async function listExecutions(
  deps: ListExecutionsDeps,
  principal: Principal,
  query: ListExecutionsQuery,
): Promise<{ readonly executions: readonly ListedExecution[]; readonly nextToken?: string }> {
  const before = query.nextToken ? decodeToken(query.nextToken) : undefined;
  const low = query.from === undefined ? '0' : DATE.test(query.from) ? query.from : isoOf(query.from);
  const toBound =
    query.to === undefined
      ? '\uffff'
      : DATE.test(query.to)
        ? `${query.to}T\uffff`
        : `${isoOf(query.to)}\uffff`;
  const high = before !== undefined && before < toBound ? before : toBound;
  const overseer = principal.roles.some(
    (role) => role === 'controller' || role === 'auditor' || role === 'platform_admin',
  );
  // A requester's own runs are narrowed in the index read, so their page costs what it shows.
  const ownOnly = overseer ? undefined : principal.userId;
  const runbooks = query.runbook ? [query.runbook] : deps.runbooks();
  const streams = runbooks.map(
    (runbook) =>
      new RunbookStream(deps.listing, {
        runbook,
        low,
        high,
        pageSize: INDEX_PAGE_SIZE,
        ...(ownOnly ? { requestedByUserId: ownOnly } : {}),
      }),
  );

  const executions: ListedExecution[] = [];
  let examined = 0;
  let lastKey: string | undefined;
  while (executions.length < query.limit && examined < MAX_EXAMINED_PER_REQUEST) {
    let newest: { stream: RunbookStream; key: string } | undefined;
    for (const stream of streams) {
      const head = await stream.peek();
      const key = head ? sortKeyOf(head) : stream.stalledAt;
      if (key !== undefined && (!newest || key > newest.key)) newest = { stream, key };
    }
    if (!newest) return { executions };
    // Everything newer than a stalled stream's position is taken: the next page starts there.
    if (newest.stream.stalledAt !== undefined) return { executions, nextToken: encodeToken(newest.key) };
    const record = newest.stream.take() as ExecutionRecord;
    lastKey = newest.key;
    examined += 1;
    if (before !== undefined && lastKey >= before) continue;
    if (!mayReadExecution(principal, record)) continue;
    if (query.requestedBy !== undefined && record.requestedBy.username !== query.requestedBy) continue;
    const state = (await deps.engine.describe(record.executionArn)) ?? { status: 'NOT_STARTED' as const };
    if (query.status !== undefined && state.status !== query.status) continue;
    executions.push({ record, state });
  }
  for (const stream of streams) {
    if ((await stream.peek()) || stream.stalledAt !== undefined)
      return { executions, ...(lastKey ? { nextToken: encodeToken(lastKey) } : {}) };
  }
  return { executions };
}
