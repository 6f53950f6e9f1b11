import type { TableId } from '#platform/aws/resource-env.ts';

/**
 * The one description of each table's keys and indexes. The CDK stack builds its tables
 * from it and the local runtime creates DynamoDB Local tables from it, so the two cannot
 * disagree about a key schema.
 */
export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N';
}

export interface IndexDefinition {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
}

export interface TableDefinition {
  readonly id: TableId;
  /** What the table holds, in finance terms. */
  readonly purpose: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly indexes: readonly IndexDefinition[];
  /** Attribute DynamoDB may expire items by; never used for money rules (those are write conditions). */
  readonly timeToLiveAttribute?: string;
}

const pk: KeyAttribute = { name: 'pk', type: 'S' };
const sk: KeyAttribute = { name: 'sk', type: 'S' };
const byGsi1: IndexDefinition = {
  indexName: 'gsi1',
  partitionKey: { name: 'gsi1pk', type: 'S' },
  sortKey: { name: 'gsi1sk', type: 'S' },
};

const byGsi2: IndexDefinition = {
  indexName: 'gsi2',
  partitionKey: { name: 'gsi2pk', type: 'S' },
  sortKey: { name: 'gsi2sk', type: 'S' },
};

export const TABLE_DEFINITIONS: Readonly<Record<TableId, TableDefinition>> = {
  trust: {
    id: 'trust',
    purpose: 'Agents, their pacts, outcome history, trust score and authority tier.',
    partitionKey: pk,
    sortKey: sk,
    indexes: [byGsi1],
  },
  escrow: {
    id: 'escrow',
    purpose: 'Funding accounts, holds, journal entries and idempotency markers.',
    partitionKey: pk,
    sortKey: sk,
    // gsi1: open holds by expiry (the sweeper); gsi2: payable holds by account and release date (payment runs).
    indexes: [byGsi1, byGsi2],
  },
  work: {
    id: 'work',
    purpose: 'Approvals, invoice claims and the execution index.',
    partitionKey: pk,
    sortKey: sk,
    indexes: [byGsi1],
    timeToLiveAttribute: 'expiresAtEpoch',
  },
  reference: {
    id: 'reference',
    purpose: 'The system-of-record snapshot: vendors, purchase orders, receipts, invoice history.',
    partitionKey: pk,
    sortKey: sk,
    indexes: [byGsi1],
  },
};
