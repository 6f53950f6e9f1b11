import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { sha256Hex } from '#platform/core/hashing.ts';
import { formatMoney, fromMinor, type Money } from '#platform/core/money.ts';
import type {
  AccountView,
  HoldSource,
  HoldStatus,
  HoldView,
  Initiator,
} from '#platform/escrow/core/escrow-ledger.ts';
import type { JournalEntry } from '#platform/escrow/core/hold-transitions.ts';
import type { OperationMarker } from '#platform/escrow/core/operation-identity.ts';

/** The escrow table's items and how they map to the ledger's views: one place for keys and attribute names. */
export type Item = Record<string, AttributeValue>;

/** Shards of the sparse "open holds by expiry" index partition, so the sweeper's index is not one hot key. */
export const OPEN_HOLD_SHARDS = 8;

export const S = (value: string): AttributeValue => ({ S: value });
export const N = (value: bigint | number): AttributeValue => ({ N: value.toString() });

export function str(value: AttributeValue | undefined): string {
  return value?.S ?? '';
}

function minor(value: AttributeValue | undefined): bigint {
  return BigInt(value?.N ?? '0');
}

export const escrowKeys = {
  account: (accountId: string): Item => ({ pk: S(`ACCOUNT#${accountId}`), sk: S('ACCOUNT') }),
  hold: (holdId: string): Item => ({ pk: S(`HOLD#${holdId}`), sk: S('HOLD') }),
  marker: (operationId: string): Item => ({ pk: S(`OP#${operationId}`), sk: S('OP') }),
  agentDay: (agentId: string, day: string, currency: string): Item => ({
    pk: S(`AGENT#${agentId}`),
    sk: S(`DAY#${day}#${currency}`),
  }),
  exposure: (agentId: string, currency: string): Item => ({
    pk: S(`AGENT#${agentId}`),
    sk: S(`EXPOSURE#${currency}`),
  }),
  journal: (accountId: string, at: string, operationId: string): Item => ({
    pk: S(`JOURNAL#${accountId}`),
    sk: S(`${at}#${operationId}`),
  }),
};

/** Partition keys and sort-key prefixes the ledger queries. */
export const escrowPrefixes = {
  agent: (agentId: string) => `AGENT#${agentId}`,
  exposure: 'EXPOSURE#',
  agentDay: (day: string) => `DAY#${day}#`,
  journal: (accountId: string) => `JOURNAL#${accountId}`,
  openHolds: (shard: number) => `OPENHOLDS#${shard}`,
  payableHolds: (accountId: string, shard: number) => `PAYABLE#${accountId}#${shard}`,
};

export function accountFromItem(accountId: string, item: Item): AccountView {
  const currency = str(item.currency);
  const m = (name: string) => fromMinor(minor(item[name]), currency);
  return {
    accountId,
    currency,
    funded: m('funded'),
    posted: m('posted'),
    held: m('held'),
    available: m('available'),
    openHolds: Number(item.openHolds?.N ?? '0'),
  };
}

function shardOf(holdId: string): number {
  return Number.parseInt(sha256Hex(holdId).slice(0, 8), 16) % OPEN_HOLD_SHARDS;
}

/**
 * A new hold, listed in two sparse indexes until it leaves HELD: the sweeper's by expiry (gsi1),
 * and the payment run's by account and release date (gsi2; a hold with no release date is payable
 * from its creation).
 */
export function holdItem(hold: HoldView): Item {
  return {
    ...escrowKeys.hold(hold.holdId),
    holdId: S(hold.holdId),
    accountId: S(hold.accountId),
    payee: S(hold.payee),
    currency: S(hold.amount.currency),
    amount: N(hold.amount.minor),
    postedAmount: N(hold.postedAmount.minor),
    status: S(hold.status),
    reason: S(hold.reason),
    expiresAt: S(hold.expiresAt),
    expiresAtMs: N(Date.parse(hold.expiresAt)),
    ...(hold.releaseAt ? { releaseAt: S(hold.releaseAt) } : {}),
    initiatedBy: S(JSON.stringify(hold.initiatedBy)),
    ...(hold.agentId ? { agentId: S(hold.agentId) } : {}),
    createdAt: S(hold.createdAt),
    ...(hold.source ? { source: S(JSON.stringify(hold.source)) } : {}),
    gsi1pk: S(escrowPrefixes.openHolds(shardOf(hold.holdId))),
    gsi1sk: S(`${hold.expiresAt}#${hold.holdId}`),
    gsi2pk: S(escrowPrefixes.payableHolds(hold.accountId, shardOf(hold.holdId))),
    gsi2sk: S(`${hold.releaseAt ?? hold.createdAt}#${hold.holdId}`),
  };
}

export function holdFromItem(item: Item): HoldView {
  const currency = str(item.currency);
  return {
    holdId: str(item.holdId),
    accountId: str(item.accountId),
    payee: str(item.payee),
    amount: fromMinor(minor(item.amount), currency),
    postedAmount: fromMinor(minor(item.postedAmount), currency),
    status: str(item.status) as HoldStatus,
    reason: str(item.reason),
    expiresAt: str(item.expiresAt),
    releaseAt: item.releaseAt?.S ?? null,
    initiatedBy: JSON.parse(str(item.initiatedBy)) as Initiator,
    agentId: item.agentId?.S ?? null,
    createdAt: str(item.createdAt),
    closedAt: item.closedAt?.S ?? null,
    disputedAt: item.disputedAt?.S ?? null,
    source: item.source?.S ? (JSON.parse(item.source.S) as HoldSource) : null,
    paymentId: item.paymentId?.S ?? null,
  };
}

/** An agent's per-currency counter (`open` on exposure items, `used` on day items) as money. */
export function counterFromItem(item: Item, attribute: 'open' | 'used'): Money {
  return fromMinor(minor(item[attribute]), str(item.currency));
}

export function markerItem(operationId: string, marker: OperationMarker, at: string): Item {
  return {
    ...escrowKeys.marker(operationId),
    kind: S(marker.kind),
    fingerprint: S(marker.fingerprint),
    result: S(encodeResult(marker.result)),
    at: S(at),
  };
}

export function markerFromItem(item: Item): OperationMarker {
  return { kind: str(item.kind), fingerprint: str(item.fingerprint), result: decodeResult(str(item.result)) };
}

/** A journal line as stored: counter movements as decimal strings of minor units, the amount as money. */
export function journalItem(accountId: string, operationId: string, at: string, entry: JournalEntry): Item {
  const { amount, ...rest } = entry;
  const deltas = Object.fromEntries(
    Object.entries(rest).map(([key, value]) => [key, typeof value === 'bigint' ? value.toString() : value]),
  );
  return {
    ...escrowKeys.journal(accountId, at, operationId),
    entry: S(
      JSON.stringify({ operationId, at, ...deltas, amount: formatMoney(amount), currency: amount.currency }),
    ),
  };
}

export function journalEntryFromItem(item: Item): Record<string, unknown> {
  return JSON.parse(str(item.entry)) as Record<string, unknown>;
}

/** Results are kept in the marker as JSON; bigint minor units travel as tagged strings. */
export function encodeResult(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? { $minor: v.toString() } : v));
}

export function decodeResult(text: string): unknown {
  return JSON.parse(text, (_key, v) =>
    v && typeof v === 'object' && typeof v.$minor === 'string' ? BigInt(v.$minor) : v,
  );
}
