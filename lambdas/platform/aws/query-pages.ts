import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { TollgateError } from '#platform/core/errors.ts';
import { dynamoDb } from './dynamodb-client.ts';
import { rethrowTransient } from './store-errors.ts';

export interface QueryPage<Item, Key> {
  readonly Items?: Item[];
  readonly LastEvaluatedKey?: Key;
}

export interface PageBound {
  /** Pages read at the most (a page is up to 1 MB). */
  readonly maxPages: number;
  /** Items wanted at the most; the query is asked for no more than the rest. */
  readonly maxItems?: number;
  /**
   * More pages remain at `maxPages`: 'refuse' when a partial answer would be wrong (a sum, a
   * duplicate check), 'partial' when the caller comes back for the rest (a sweeper).
   */
  readonly atBound: 'refuse' | 'partial';
  /** Names what was being read in the refusal. */
  readonly what: string;
}

/**
 * Follows LastEvaluatedKey within a bound. `query` sends one Query from `startKey`, asking for at
 * most `limit` items when a maximum is set. Throttling surfaces as TransientStoreError.
 */
export async function queryPages<Item, Key>(
  query: (startKey: Key | undefined, limit: number | undefined) => Promise<QueryPage<Item, Key>>,
  bound: PageBound,
): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Key | undefined;
  for (let page = 0; ; page++) {
    const limit = bound.maxItems === undefined ? undefined : bound.maxItems - items.length;
    if (limit !== undefined && limit <= 0) return items;
    if (page === bound.maxPages) {
      if (bound.atBound === 'partial') return items;
      throw new TollgateError(
        'INTERNAL',
        `${bound.what} spans more than ${bound.maxPages} pages; it is read whole or not at all, so narrow it or raise the bound.`,
        { maxPages: bound.maxPages },
      );
    }
    let out: QueryPage<Item, Key>;
    try {
      out = await query(startKey, limit);
    } catch (error) {
      rethrowTransient(error);
    }
    items.push(...(out.Items ?? []));
    startKey = out.LastEvaluatedKey;
    if (!startKey) return items;
  }
}

/** Every item under `pk` whose sort key starts with `prefix`, read consistently through the shared document client. */
export function queryPrefix(
  table: string,
  pk: string,
  prefix: string,
  bound: Omit<PageBound, 'maxItems'>,
): Promise<Record<string, unknown>[]> {
  return queryPages(
    (startKey: Record<string, unknown> | undefined) =>
      dynamoDb.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      ),
    bound,
  );
}
