import {
  GetItemCommand,
  QueryCommand,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { TollgateError, TransientStoreError } from '#platform/core/errors.ts';
import { money } from '#platform/core/money.ts';
import { escrowKeys, type Item, N, S } from '#platform/escrow/adapters/escrow-items.ts';
import {
  DynamoDbEscrowLedger,
  type DynamoDbSender,
} from '#platform/escrow/adapters/escrow-ledger-dynamodb.ts';

// The ledger's retry, replay and paging bounds against a table in memory: Puts keep their
// attribute_not_exists condition, Updates are not applied, and each test decides how a
// transaction or a query answers.
const keyOf = (key: Item | undefined) => `${key?.pk?.S}|${key?.sk?.S}`;

function cancelled(codes: readonly string[]): Error {
  return Object.assign(new Error('Transaction cancelled'), {
    name: 'TransactionCanceledException',
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

class TableInMemory implements DynamoDbSender {
  readonly items = new Map<string, Item>();
  readonly transactions: TransactWriteItem[][] = [];
  queries = 0;
  /** Throws to cancel the transaction; by default it commits. */
  onTransact: (items: TransactWriteItem[]) => void = () => {};
  onQuery: (command: QueryCommand) => object = () => ({ Items: [] });

  put(item: Item): void {
    this.items.set(keyOf(item), item);
  }

  async send(command: object): Promise<object> {
    if (command instanceof GetItemCommand) return { Item: this.items.get(keyOf(command.input.Key)) };
    if (command instanceof QueryCommand) {
      this.queries++;
      return this.onQuery(command);
    }
    if (command instanceof TransactWriteItemsCommand) {
      const items = command.input.TransactItems ?? [];
      this.transactions.push(items);
      this.onTransact(items);
      const codes = items.map((entry) =>
        entry.Put && this.items.has(keyOf(entry.Put.Item)) ? 'ConditionalCheckFailed' : 'None',
      );
      if (codes.includes('ConditionalCheckFailed')) throw cancelled(codes);
      for (const entry of items) if (entry.Put?.Item) this.put(entry.Put.Item);
      return {};
    }
    throw new Error(`unexpected command ${command.constructor.name}`);
  }
}

function account(available: bigint): Item {
  return {
    ...escrowKeys.account('ACC'),
    currency: S('USD'),
    funded: N(available),
    posted: N(0),
    held: N(0),
    available: N(available),
    openHolds: N(0),
  };
}

const hold = {
  operationId: 'op-hold',
  holdId: 'hold-1',
  accountId: 'ACC',
  payee: 'vendor-0042',
  amount: money('100.00', 'USD'),
  reason: 'invoice INV-1',
  expiresAt: new Date('2030-03-02T00:00:00Z'),
  initiatedBy: { kind: 'person' as const, id: 'avery.clerk' },
  at: new Date('2030-03-01T00:00:00Z'),
};

describe('escrow ledger retries within its bound', () => {
  it('gives up with TransientStoreError after maxAttempts conflicting transactions', async () => {
    // Prepare
    const table = new TableInMemory();
    table.put(account(50_000n));
    table.onTransact = (items) => {
      throw cancelled(items.map((_, i) => (i === 2 ? 'TransactionConflict' : 'None')));
    };
    const reasons: string[][] = [];
    const ledger = new DynamoDbEscrowLedger({
      client: table,
      tableName: 'escrow',
      maxAttempts: 3,
      onCancellation: (codes) => reasons.push([...codes]),
    });

    // Act
    const outcome = ledger.hold(hold);

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(TransientStoreError);
    expect(table.transactions).toHaveLength(3);
    expect(reasons).toHaveLength(3);
    expect(table.items.has(keyOf(escrowKeys.hold('hold-1')))).toBe(false);
  });

  it('reads again after a stale condition and refuses on what it reads', async () => {
    // Prepare: the account had room when read, and none by the time the write arrived
    const table = new TableInMemory();
    table.put(account(50_000n));
    table.onTransact = (items) => {
      table.put(account(5_000n));
      throw cancelled(
        items.map((entry) =>
          entry.Update?.Key?.pk?.S === 'ACCOUNT#ACC' ? 'ConditionalCheckFailed' : 'None',
        ),
      );
    };
    const ledger = new DynamoDbEscrowLedger({ client: table, tableName: 'escrow' });

    // Act
    const outcome = ledger.hold(hold);

    // Assess
    await expect(outcome).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
    expect(table.transactions).toHaveLength(1);
  });

  it('answers a taken marker with the first result, or IDEMPOTENCY_KEY_REUSED for another request', async () => {
    // Prepare
    const table = new TableInMemory();
    const ledger = new DynamoDbEscrowLedger({ client: table, tableName: 'escrow' });
    const fund = { operationId: 'op-fund', accountId: 'ACC', amount: money('10.00', 'USD'), at: hold.at };
    const first = await ledger.fund(fund);

    // Act
    const again = await ledger.fund(fund);
    const other = ledger.fund({ ...fund, amount: money('11.00', 'USD') });

    // Assess
    expect(first.replayed).toBe(false);
    expect(again).toEqual({ replayed: true, result: first.result });
    await expect(other).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(table.transactions).toHaveLength(3);
  });
});

describe('escrow ledger reads within their page bound', () => {
  const endless = (command: QueryCommand) => ({
    Items: [{ pk: S('x'), sk: S('y'), holdId: S('hold'), entry: S('{}') }],
    LastEvaluatedKey: { pk: S(String(command.input.ExpressionAttributeValues?.[':pk']?.S)), sk: S('next') },
  });

  it('refuses a journal longer than its bound rather than answer with part of it', async () => {
    // Prepare
    const table = new TableInMemory();
    table.onQuery = endless;
    const ledger = new DynamoDbEscrowLedger({ client: table, tableName: 'escrow' });

    // Act
    const outcome = ledger.journal('ACC');

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(TollgateError);
    await expect(outcome).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(table.queries).toBe(100);
  });

  it('sweeps what its bound allows and leaves the rest to the next sweep', async () => {
    // Prepare
    const table = new TableInMemory();
    table.onQuery = endless;
    const ledger = new DynamoDbEscrowLedger({ client: table, tableName: 'escrow' });

    // Act
    const due = await ledger.dueForExpiry(new Date('2030-03-01T00:00:00Z'), 1_000);

    // Assess: 10 pages for each of the 8 shards
    expect(due).toHaveLength(80);
    expect(table.queries).toBe(80);
  });
});
