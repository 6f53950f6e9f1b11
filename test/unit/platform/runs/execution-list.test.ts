import { describe, expect, it } from 'vitest';
import type { Principal } from '#platform/core/principal.ts';
import {
  type ExecutionListing,
  listExecutions,
  MAX_EXAMINED_PER_REQUEST,
  parseListQuery,
  sortKeyOf,
} from '#platform/runs/core/execution-list.ts';
import type { ExecutionRecord } from '#platform/runs/core/executions.ts';

const person = (userId: string, roles: Principal['roles']): Principal => ({
  userId,
  username: userId,
  roles,
});
const clerk = person('clerk-1', ['ap_clerk']);
const auditor = person('auditor-1', ['auditor']);

function record(runbook: string, second: number, userId: string): ExecutionRecord {
  const id = `${runbook === 'a' ? 'a' : 'b'}${String(second).padStart(39, '0')}`;
  return {
    executionId: id,
    runbook,
    executionArn: `arn:aws:states:us-east-1:111111111111:execution:${runbook}:${id}`,
    requestHash: 'h',
    input: '{}',
    requestedBy: person(userId, ['ap_clerk']),
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString(),
  };
}

/** The index as DynamoDB answers a gsi1 query: newest first, Limit before the filter, a start key per page. */
function inMemoryListing(records: readonly ExecutionRecord[]): ExecutionListing & { reads: number } {
  const listing = {
    reads: 0,
    async pageByRunbook(query: Parameters<ExecutionListing['pageByRunbook']>[0]) {
      listing.reads += 1;
      const all = records
        .filter((r) => r.runbook === query.runbook)
        .filter((r) => sortKeyOf(r) >= query.low && sortKeyOf(r) <= query.high)
        .sort((x, y) => (sortKeyOf(x) < sortKeyOf(y) ? 1 : -1));
      const after = query.startKey ? all.findIndex((r) => sortKeyOf(r) === query.startKey?.gsi1sk) + 1 : 0;
      const page = all.slice(after, after + query.pageSize);
      const last = page.at(-1);
      return {
        records: page.filter(
          (r) => !query.requestedByUserId || r.requestedBy.userId === query.requestedByUserId,
        ),
        ...(last && after + query.pageSize < all.length ? { next: { gsi1sk: sortKeyOf(last) } } : {}),
      };
    },
  };
  return listing;
}

const engine = {
  start: async () => undefined,
  describe: async (arn: string) => ({
    status: arn.endsWith('7') ? ('FAILED' as const) : ('SUCCEEDED' as const),
  }),
};

async function everyPage(
  listing: ExecutionListing,
  principal: Principal,
  query: Partial<Parameters<typeof listExecutions>[2]> = {},
) {
  const seen: string[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = await listExecutions({ listing, engine, runbooks: () => ['a', 'b'] }, principal, {
      limit: 4,
      ...query,
      ...(nextToken ? { nextToken } : {}),
    });
    seen.push(...page.executions.map((e) => e.record.executionId));
    nextToken = page.nextToken;
    pages += 1;
  } while (nextToken && pages < 100);
  return { seen, pages };
}

describe('listExecutions', () => {
  it('merges the runbooks newest first and pages through each execution exactly once', async () => {
    // Prepare
    const records = Array.from({ length: 30 }, (_, i) => record(i % 3 === 0 ? 'b' : 'a', i, `user-${i % 2}`));
    const expected = [...records]
      .sort((x, y) => (x.createdAt < y.createdAt ? 1 : -1))
      .map((r) => r.executionId);

    // Act
    const { seen, pages } = await everyPage(inMemoryListing(records), auditor);

    // Assess
    expect(seen).toEqual(expected);
    expect(pages).toBe(8);
  });

  it('shows a requester only their own, and filters by status, requester and time', async () => {
    // Prepare
    const records = Array.from({ length: 20 }, (_, i) => record('a', i, i < 10 ? 'clerk-1' : 'other'));
    const listing = inMemoryListing(records);

    // Act
    const own = await everyPage(listing, clerk);
    const failed = await everyPage(listing, auditor, { status: 'FAILED' });
    const others = await everyPage(listing, auditor, { requestedBy: 'other', from: '2026-01-01T00:00:15Z' });

    // Assess
    expect(own.seen).toHaveLength(10);
    expect(failed.seen.every((id) => id.endsWith('7'))).toBe(true);
    expect(others.seen).toHaveLength(5);
  });

  it('stops at its read bound with a nextToken, and the next pages find what lies beyond', async () => {
    // Prepare: a clerk's one run below more than a request may read of other people's runs
    const crowd = Array.from({ length: 1200 }, (_, i) => record('a', 100 + i, 'other'));
    const listing = inMemoryListing([record('a', 1, 'clerk-1'), ...crowd]);

    // Act
    const first = await listExecutions({ listing, engine, runbooks: () => ['a'] }, clerk, { limit: 4 });
    const all = await everyPage(listing, clerk);

    // Assess
    expect(first.executions).toEqual([]);
    expect(first.nextToken).toEqual(expect.any(String));
    expect(all.seen).toEqual([record('a', 1, 'clerk-1').executionId]);
    expect(MAX_EXAMINED_PER_REQUEST).toBeGreaterThan(0);
  });
});

describe('parseListQuery', () => {
  it.each([
    [{ limit: '0' }],
    [{ limit: '1.5' }],
    [{ status: 'done' }],
    [{ runbook: 'x' }],
    [{ from: '2026-13-01T00:00:00Z' }],
    [{ nextToken: 'eyJ2IjoxfQ' }],
    [{ order: 'asc' }],
  ])('refuses %j with VALIDATION_FAILED', (params) => {
    expect(() => parseListQuery(params, ['a'])).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });

  it('defaults the page size', () => {
    expect(parseListQuery(null, ['a'])).toEqual({ limit: 20 });
  });
});
