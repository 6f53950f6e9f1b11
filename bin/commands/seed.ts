import { readFileSync } from 'node:fs';
import { hashOf } from '#platform/core/hashing.ts';
import { formatMoney, money, subtract } from '#platform/core/money.ts';
import { DynamoDbEscrowLedger } from '#platform/escrow/adapters/escrow-ledger-dynamodb.ts';
import {
  DynamoDbSystemOfRecord,
  type PutOutcome,
  referenceKeys,
} from '#platform/system-of-record/adapters/system-of-record-dynamodb.ts';
import { type ErpSnapshot, parseErpSnapshot } from '#platform/system-of-record/core/reference-data.ts';
import { DynamoDbTrustStore } from '#platform/trust/adapters/trust-store-dynamodb.ts';
import { contactIndexItems } from '#runbooks/vendor-inquiry/adapters/vendor-directory-dynamodb.ts';

/** The evidence each action's pact asks the agent to leave; an action not listed leaves its decision and its action. */
const REQUIRED_EVIDENCE: Readonly<Record<string, readonly string[]>> = {
  'invoice.approve': ['model_call', 'rule_result', 'decision'],
  'payment.hold': ['action'],
  'payment.release': ['decision', 'action'],
  'receivable.write_off': ['decision', 'action'],
  // A refund or payout rests on the order and its charge (or the contract and its balance), recorded as a rule result.
  'refund.issue': ['rule_result', 'decision', 'action'],
  'payout.issue': ['rule_result', 'decision', 'action'],
};

export type SeedCounts = Record<string, Record<PutOutcome, number>>;

/** Reads and validates the whole file first; a malformed file loads nothing. */
export function readSnapshot(file: string): ErpSnapshot {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw Object.assign(new Error(`Cannot read ${file} as JSON: ${(error as Error).message}`), {
      code: 'INVALID_SNAPSHOT',
    });
  }
  return parseErpSnapshot(raw);
}

/**
 * Loads a system-of-record snapshot: reference data, agents with their pacts (bounded tier,
 * the snapshot's limits), funding accounts funded up to the snapshot's balance. Identical
 * data is left untouched, so loading the same file twice changes nothing.
 */
export async function seed(
  snapshot: ErpSnapshot,
  /** The tier new agents start in; `tollgate eval` starts them in shadow. @default 'bounded' */
  options: { readonly agentTier?: 'shadow' | 'bounded' } = {},
): Promise<SeedCounts> {
  const store = new DynamoDbSystemOfRecord();
  const counts: SeedCounts = {};
  const count = (what: string, outcome: PutOutcome) => {
    const entry = counts[what] ?? { created: 0, updated: 0, unchanged: 0 };
    entry[outcome] += 1;
    counts[what] = entry;
  };
  for (const vendor of snapshot.vendors) {
    count('vendors', await store.put(referenceKeys.vendor(vendor.vendorId), vendor));
    await store.put(referenceKeys.vendorByTaxId(vendor.taxId), { vendorId: vendor.vendorId });
    await store.put(referenceKeys.vendorByName(vendor.name), { vendorId: vendor.vendorId });
    // The vendor-inquiry runbook finds a sender's vendor by these; the vendor's own record decides.
    for (const item of contactIndexItems(vendor)) await store.put(item.key, item.data);
  }
  for (const po of snapshot.purchaseOrders)
    count('purchaseOrders', await store.put(referenceKeys.purchaseOrder(po.poNumber), po));
  for (const receipt of snapshot.goodsReceipts) {
    count(
      'goodsReceipts',
      await store.put(referenceKeys.receipt(receipt.poNumber, receipt.receiptId), receipt),
    );
  }
  for (const invoice of snapshot.processedInvoices) {
    count(
      'processedInvoices',
      await store.put(referenceKeys.processedInvoice(invoice.vendorId, invoice.invoiceNumber), invoice),
    );
    await store.put(referenceKeys.vendorInvoice(invoice.vendorId, invoice.invoiceNumber), invoice);
  }
  for (const customer of snapshot.customers)
    count('customers', await store.put(referenceKeys.customer(customer.customerId), customer));
  for (const partner of snapshot.partners)
    count('partners', await store.put(referenceKeys.partner(partner.partnerId), partner));
  for (const order of snapshot.orders)
    count('orders', await store.put(referenceKeys.order(order.orderId), order));
  for (const contract of snapshot.payoutContracts)
    count('payoutContracts', await store.put(referenceKeys.payoutContract(contract.contractId), contract));
  for (const receivable of snapshot.openReceivables)
    count('openReceivables', await store.putReceivable(receivable));
  count('policy', await store.put(referenceKeys.policy(), snapshot.policy));
  if (snapshot.chartOfAccounts)
    count(
      'chartOfAccounts',
      await store.put(referenceKeys.chartOfAccounts(), { accounts: snapshot.chartOfAccounts }),
    );

  const trust = new DynamoDbTrustStore();
  for (const agent of snapshot.agents) {
    const pact = {
      perActionLimit: agent.autoApproveLimit,
      dailyLimit: agent.dailyLimit,
      currency: agent.currency,
    };
    const { created } = await trust.registerAgent({
      agentId: agent.agentId,
      displayName: agent.displayName,
      tier: options.agentTier ?? 'bounded',
      pacts: agent.actions.map((action) => ({
        action,
        ...pact,
        requiredEvidence: REQUIRED_EVIDENCE[action] ?? ['decision', 'action'],
      })),
    });
    count('agents', created ? 'created' : 'unchanged');
  }

  const ledger = new DynamoDbEscrowLedger();
  for (const account of snapshot.fundingAccounts) {
    await ledger.ensureAccount(account.accountId, account.currency);
    await store.put(referenceKeys.fundingAccount(account.currency), { accountId: account.accountId });
    const current = await ledger.getAccount(account.accountId);
    const target = money(account.balance, account.currency);
    const shortfall = current ? subtract(target, current.funded) : target;
    if (shortfall.minor > 0n) {
      // The operation id names the target balance: re-running the same file replays, never funds twice.
      await ledger.fund({
        operationId: `seed:${account.accountId}:${hashOf({ balance: formatMoney(target) }).slice(0, 16)}`,
        accountId: account.accountId,
        amount: shortfall,
      });
      count('fundingAccounts', current && current.funded.minor > 0n ? 'updated' : 'created');
    } else {
      count('fundingAccounts', 'unchanged');
    }
  }
  return counts;
}
