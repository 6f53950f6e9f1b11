import * as z from 'zod';

/**
 * The system-of-record snapshot the runbook matches against (vendors, purchase orders, goods
 * receipts, invoice history, agents, funding accounts, policy), in the format ERP exports use.
 */
/** Open receivables a snapshot (and one currency's listing) holds at the most. */
export const MAX_OPEN_RECEIVABLES = 50_000;

/** ISO 11649: RF, check digits 02–98, up to 21 letters or digits; rearranged, mod 97 is 1. */
export function isValidRfReference(value: string): boolean {
  const ref = value.replace(/\s+/g, '').toUpperCase();
  const match = /^RF(\d{2})([A-Z0-9]{1,21})$/.exec(ref);
  if (!match) return false;
  const check = Number(match[1]);
  if (check < 2 || check > 98) return false;
  let remainder = 0;
  // At most 25 characters: the loop is bounded.
  for (const char of `${match[2]}${ref.slice(0, 4)}`) {
    const digits = char >= '0' && char <= '9' ? char : String(char.charCodeAt(0) - 55);
    for (const digit of digits) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

const decimal = z.string().regex(/^-?\d+(\.\d+)?$/, 'a decimal string such as "1234.50"');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');
const currency = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD');
const quantity = z.number().nonnegative();

export const vendorSchema = z.object({
  vendorId: z.string().min(1).max(64),
  name: z.string().min(1).max(200),
  taxId: z.string().min(1).max(32),
  address: z.string().max(300).optional(),
  currency,
  bankAccount: z.string().min(4).max(34),
  routingNumber: z.string().min(6).max(11),
  status: z.enum(['ACTIVE', 'INACTIVE', 'BLOCKED']),
  defaultGlAccount: z.string().min(1).max(32),
  /** Accounts besides the default this vendor's lines may be coded to. @default none */
  allowedGlAccounts: z.array(z.string().min(1).max(32)).max(100).optional(),
  /** When the bank details last changed; payments wait out a cooling-off period after it. @default never changed */
  bankDetailsChangedAt: isoDate.optional(),
  /** Addresses the vendor is known to write from; a bank-detail change from another domain is a risk flag. @default none */
  contactEmails: z.array(z.string().min(3).max(320)).max(20).optional(),
  /** Numbers on file to call the vendor back on; a bank-detail change is verified only on one of them. @default none */
  contactPhones: z.array(z.string().min(5).max(40)).max(10).optional(),
});

export const purchaseOrderSchema = z.object({
  poNumber: z.string().min(1).max(64),
  vendorId: z.string().min(1),
  currency,
  costCenter: z.string().min(1).max(32),
  /** The legal entity (company code) that ordered; invoices against it are worked by that entity's agent. @default the single entity */
  entity: z.string().min(1).max(16).optional(),
  orderDate: isoDate,
  /** The sales-tax rate agreed on the PO, in per cent ("8.25"); without it the invoice's tax is not checked against a rate. */
  taxRatePercent: decimal.optional(),
  lines: z
    .array(
      z.object({
        lineNo: z.number().int().positive(),
        sku: z.string().min(1).max(64),
        description: z.string().max(500),
        quantity,
        unitPrice: decimal,
        glAccount: z.string().min(1).max(32),
      }),
    )
    .min(1),
});

export const goodsReceiptSchema = z.object({
  receiptId: z.string().min(1).max(64),
  poNumber: z.string().min(1),
  receivedDate: isoDate,
  lines: z
    .array(
      z.object({ lineNo: z.number().int().positive(), sku: z.string().min(1), quantityReceived: quantity }),
    )
    .min(1),
});

export const processedInvoiceSchema = z.object({
  vendorId: z.string().min(1),
  invoiceNumber: z.string().min(1).max(64),
  invoiceDate: isoDate,
  total: decimal,
  status: z.string().min(1).max(32),
});

/** The actions an agent's pacts name when the snapshot declares none: the AP invoice agent's. */
export const DEFAULT_AGENT_ACTIONS = ['invoice.approve', 'payment.hold'] as const;

export const agentSeedSchema = z.object({
  agentId: z.string().regex(/^[a-z0-9][a-z0-9-]{2,63}$/, 'lower-case letters, digits and dashes'),
  displayName: z.string().min(1).max(200),
  autoApproveLimit: decimal,
  dailyLimit: decimal,
  currency,
  /** The actions the agent gets a pact for, each with these limits. @default DEFAULT_AGENT_ACTIONS */
  actions: z
    .array(z.string().regex(/^[a-z][a-z_]*\.[a-z][a-z_]*$/, 'an action such as receivable.write_off'))
    .min(1)
    .max(20)
    .refine((actions) => new Set(actions).size === actions.length, 'each action once')
    .default([...DEFAULT_AGENT_ACTIONS]),
});

export const customerSchema = z.object({
  customerId: z.string().min(1).max(64),
  /** The name the customer pays under; a statement credit must come from it. */
  name: z.string().min(1).max(140),
  currency,
  taxId: z.string().min(1).max(32).optional(),
  address: z.string().max(300).optional(),
  /** The account the customer pays from, when known (IBAN or account number); refunds go back to it. */
  bankAccount: z.string().min(4).max(34).optional(),
  /** The bank of `bankAccount`: an ABA routing number or a BIC. @default none: no refund can be paid by bank transfer */
  routingNumber: z.string().min(6).max(11).optional(),
  /** @default ACTIVE */
  status: z.enum(['ACTIVE', 'INACTIVE', 'BLOCKED']).optional(),
  /** The person (username) who owns the customer relationship; they may dispute a payment to the customer. @default none */
  accountOwner: z.string().min(1).max(128).optional(),
  /** When the refund account last changed; payments wait out a cooling-off period after it. @default never changed */
  bankDetailsChangedAt: isoDate.optional(),
});

/** A marketplace partner paid out under a contract. */
export const partnerSchema = z.object({
  partnerId: z.string().min(1).max(64),
  name: z.string().min(1).max(140),
  currency,
  bankAccount: z.string().min(4).max(34),
  routingNumber: z.string().min(6).max(11),
  status: z.enum(['ACTIVE', 'INACTIVE', 'BLOCKED']),
  /** The person (username) who owns the partner relationship; they may dispute a payout. @default none */
  accountOwner: z.string().min(1).max(128).optional(),
  bankDetailsChangedAt: isoDate.optional(),
});

const positiveDecimal = decimal.refine(
  (value) => !value.startsWith('-') && /[1-9]/.test(value),
  'more than zero',
);

/**
 * A customer order and what was charged for it: a refund can never exceed what was captured, and
 * goes back to the method that paid unless a person decides otherwise.
 */
export const orderSchema = z.object({
  orderId: z.string().min(1).max(64),
  customerId: z.string().min(1).max(64),
  currency,
  orderDate: isoDate,
  charges: z
    .array(
      z.object({
        chargeId: z.string().min(1).max(64),
        amount: positiveDecimal,
        capturedAt: isoDate,
        /** How it was paid: a bank account (its number) or a card (its last four digits). */
        paymentMethod: z.object({
          type: z.enum(['bank_account', 'card']),
          account: z.string().min(4).max(34),
        }),
      }),
    )
    .max(50)
    .default([]),
});

/** A partner's contract and what the marketplace owes the partner under it today. */
export const payoutContractSchema = z.object({
  contractId: z.string().min(1).max(64),
  partnerId: z.string().min(1).max(64),
  currency,
  status: z.enum(['ACTIVE', 'ENDED']),
  /** Earned and not yet paid out, per the marketplace's ledger; a payout above it is never automatic. */
  payableBalance: decimal,
});

const creditorReference = z
  .string()
  .refine(
    isValidRfReference,
    'an ISO 11649 creditor reference (RF + two check digits + up to 21 letters or digits)',
  );

export const openReceivableSchema = z.object({
  receivableId: z.string().min(1).max(64),
  invoiceNumber: z.string().min(1).max(35),
  customerId: z.string().min(1).max(64),
  /** What the customer still owes, greater than zero. */
  amount: decimal.refine((value) => !value.startsWith('-') && /[1-9]/.test(value), 'more than zero'),
  currency,
  dueDate: isoDate,
  /** The RF reference printed on the invoice. @default none: credits are matched by invoice number or payer */
  creditorReference: creditorReference.optional(),
});

export const fundingAccountSchema = z.object({
  accountId: z.string().regex(/^[A-Z0-9][A-Z0-9-]{2,63}$/, 'upper-case letters, digits and dashes'),
  currency,
  balance: decimal,
});

export const apPolicySchema = z.object({
  /** The agent whose authority the runbook works under; the requester never chooses it. */
  agentId: z.string().min(1).optional(),
  /**
   * Per legal entity (company code), the agent that works its invoices; a request names the
   * entity, never the agent, and the PO must belong to that entity. @default one entity, `agentId`
   */
  agentsByEntity: z.record(z.string().regex(/^[A-Z0-9][A-Z0-9_-]{0,15}$/), z.string().min(1)).optional(),
  priceTolerancePercent: decimal,
  priceToleranceAmount: decimal,
  totalsTolerance: decimal,
  controllerThreshold: decimal,
  /** How far the invoice's tax may be from lines × the PO's agreed rate. @default totalsTolerance */
  taxTolerance: decimal.optional(),
});

/** Every collection defaults to none, so a supplement (e.g. treasury data) can be loaded beside the AP snapshot. */
export const erpSnapshotSchema = z.strictObject({
  vendors: z.array(vendorSchema).default([]),
  purchaseOrders: z.array(purchaseOrderSchema).default([]),
  goodsReceipts: z.array(goodsReceiptSchema).default([]),
  processedInvoices: z.array(processedInvoiceSchema).default([]),
  agents: z.array(agentSeedSchema).default([]),
  fundingAccounts: z.array(fundingAccountSchema).default([]),
  /** Customers the receivables are owed by. @default none */
  customers: z.array(customerSchema).max(100_000).default([]),
  /** Marketplace partners paid out under contracts. @default none */
  partners: z.array(partnerSchema).max(100_000).default([]),
  /** Customer orders with their charges, for refunds. @default none */
  orders: z.array(orderSchema).max(100_000).default([]),
  /** Partner contracts with what is payable under each. @default none */
  payoutContracts: z.array(payoutContractSchema).max(100_000).default([]),
  /** Receivables still open, for bank-statement reconciliation. @default none */
  openReceivables: z.array(openReceivableSchema).max(MAX_OPEN_RECEIVABLES).default([]),
  policy: apPolicySchema,
  /** The chart of accounts; when present, coding must use an active account. @default no chart check */
  chartOfAccounts: z
    .array(z.strictObject({ account: z.string().min(1).max(32), active: z.boolean() }))
    .optional(),
});

export type Vendor = z.infer<typeof vendorSchema>;
export type PurchaseOrder = z.infer<typeof purchaseOrderSchema>;
export type GoodsReceipt = z.infer<typeof goodsReceiptSchema>;
export type ProcessedInvoice = z.infer<typeof processedInvoiceSchema>;
export type AgentSeed = z.infer<typeof agentSeedSchema>;
export type Customer = z.infer<typeof customerSchema>;
export type Partner = z.infer<typeof partnerSchema>;
export type Order = z.infer<typeof orderSchema>;
export type PayoutContract = z.infer<typeof payoutContractSchema>;
export type OpenReceivableSeed = z.infer<typeof openReceivableSchema>;
export type FundingAccountSeed = z.infer<typeof fundingAccountSchema>;
export type ApPolicy = z.infer<typeof apPolicySchema>;
export type ErpSnapshot = z.infer<typeof erpSnapshotSchema>;

/**
 * A customer (`customer:<id>`) or partner (`partner:<id>`) as the payment run pays them: in the
 * vendor master's shape, keyed by the typed payee so a customer and a vendor with one id never
 * mix. A customer without a refund account on file has no payable form.
 */
export function payeeOfRecord(
  payee: string,
  record: { customer?: Customer | undefined; partner?: Partner | undefined },
): Vendor | undefined {
  const party = payee.startsWith('customer:')
    ? record.customer
    : payee.startsWith('partner:')
      ? record.partner
      : undefined;
  if (!party?.bankAccount || !party.routingNumber) return undefined;
  return {
    vendorId: payee,
    name: party.name,
    taxId: ('taxId' in party && party.taxId) || '',
    currency: party.currency,
    bankAccount: party.bankAccount,
    routingNumber: party.routingNumber,
    status: party.status ?? 'ACTIVE',
    defaultGlAccount: '',
    ...(party.bankDetailsChangedAt ? { bankDetailsChangedAt: party.bankDetailsChangedAt } : {}),
  };
}

/** "Acme Industrial Supply, LLC" and "ACME INDUSTRIAL SUPPLY LLC" name the same vendor. */
export function normaliseVendorName(name: string): string {
  return name
    .toUpperCase()
    .replace(/&/g, ' AND ')
    .replace(/[^A-Z0-9 ]/g, ' ')
    .replace(/\b(?:INC|INCORPORATED|LLC|LTD|LIMITED|CO|CORP|CORPORATION|COMPANY|GMBH|PLC|THE)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Invoice numbers compare without case, spaces or punctuation: "inv 10501" = "INV-10501". */
export function normaliseDocumentNumber(value: string): string {
  return value.toUpperCase().replace(/[^A-Z0-9&]/g, '');
}

export function normaliseTaxId(value: string): string {
  return value.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/** Port: the system of record. The reference table implements it; a live ERP connector can replace it. */
export interface SystemOfRecord {
  getVendor(vendorId: string): Promise<Vendor | undefined>;
  findVendorByTaxId(taxId: string): Promise<Vendor | undefined>;
  findVendorByName(name: string): Promise<Vendor | undefined>;
  getPurchaseOrder(poNumber: string): Promise<PurchaseOrder | undefined>;
  getReceipts(poNumber: string): Promise<GoodsReceipt[]>;
  findProcessedInvoice(vendorId: string, invoiceNumber: string): Promise<ProcessedInvoice | undefined>;
  /**
   * The vendor's processed invoices, for the near-duplicate check (same total and date under
   * another number). Optional: where a system of record cannot list them, that check is not made.
   */
  listProcessedInvoices?(vendorId: string): Promise<ProcessedInvoice[]>;
  /**
   * Quantity already invoiced per PO line by other invoices — approved, or in flight and
   * reserved — as decimal strings; `excluding` leaves out this invoice's own reservation.
   */
  invoicedQuantities(
    poNumber: string,
    excluding?: { vendorId: string; invoiceNumber: string },
  ): Promise<Record<number, string>>;
  getPolicy(): Promise<ApPolicy | undefined>;
  /** The customer a receivable is owed by. */
  getCustomer(customerId: string): Promise<Customer | undefined>;
  /** A marketplace partner. Optional: a system of record without partners pays out nobody. */
  getPartner?(partnerId: string): Promise<Partner | undefined>;
  /** A customer order with its charges. Optional: without orders no refund can be checked, so none is made. */
  getOrder?(orderId: string): Promise<Order | undefined>;
  /** A partner contract with its payable balance. */
  getPayoutContract?(contractId: string): Promise<PayoutContract | undefined>;
  /** Open receivables in one currency (at most MAX_OPEN_RECEIVABLES; more is refused, never half-listed). */
  listOpenReceivables(currency: string): Promise<Receivable[]>;
  /**
   * Closes an open receivable once: paid in full, or short-paid with the rest written off. The same
   * settlement again (same `settlementId`) answers `already`; a receivable closed by anything else
   * answers `not_open` and changes nothing.
   */
  settleReceivable(
    receivable: { readonly receivableId: string; readonly currency: string },
    settlement: ReceivableSettlement,
  ): Promise<SettleOutcome>;
  /**
   * Changes a vendor's bank details only if the master still holds `expected` (what was verified
   * and approved against). The same change again (same `changeId`) answers `already`; details
   * changed by anything else answer `details_changed` and change nothing. Optional: a system of
   * record that cannot change its vendor master leaves bank-detail changes to the ERP.
   */
  changeVendorBankDetails?(change: VendorBankDetailsChange): Promise<BankDetailsChangeOutcome>;
}

/** A vendor's payment details as the vendor master holds them (for IBANs: the IBAN and the BIC, or ''). */
export interface VendorBankDetails {
  readonly bankAccount: string;
  readonly routingNumber: string;
}

export interface VendorBankDetailsChange {
  readonly vendorId: string;
  /** Names the change (e.g. the run that approved it), so a replay is recognised. */
  readonly changeId: string;
  readonly expected: VendorBankDetails;
  readonly next: VendorBankDetails;
  /** YYYY-MM-DD: the day the cooling-off period starts. */
  readonly changedAt: string;
}

export type BankDetailsChangeOutcome = 'changed' | 'already' | 'details_changed' | 'not_found';

/** A receivable as the system of record holds it: open, or closed by one settlement. */
export interface Receivable extends OpenReceivableSeed {
  readonly status: 'OPEN' | 'SETTLED' | 'WRITTEN_OFF';
  readonly settlement?: ReceivableSettlement;
}

export interface ReceivableSettlement {
  /** Who closed it, derived from the cause (e.g. the statement entry), so a replay is recognised. */
  readonly settlementId: string;
  readonly status: 'SETTLED' | 'WRITTEN_OFF';
  /** The credit applied, decimal string in the receivable's currency. */
  readonly paid: string;
  /** The shortfall written off, "0.00" when paid in full. */
  readonly writtenOff: string;
  /** The actor that closed it (an agent id, or a person's user id). */
  readonly by: string;
  readonly executionId: string;
  readonly at: string;
}

export type SettleOutcome = 'settled' | 'already' | 'not_open';

export class SnapshotError extends Error {
  readonly code = 'INVALID_SNAPSHOT';
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotError';
  }
}

const RECORD_ID: Readonly<Record<string, string>> = {
  vendors: 'vendorId',
  purchaseOrders: 'poNumber',
  goodsReceipts: 'receiptId',
  processedInvoices: 'invoiceNumber',
  agents: 'agentId',
  fundingAccounts: 'accountId',
  customers: 'customerId',
  openReceivables: 'receivableId',
};

/**
 * Validates a whole snapshot before anything is written: the first bad record is named
 * (collection, position, id, field) and nothing is loaded.
 */
export function parseErpSnapshot(raw: unknown): ErpSnapshot {
  const parsed = erpSnapshotSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const [collection, index, ...field] = issue?.path ?? [];
    const record =
      typeof collection === 'string' && typeof index === 'number' && raw && typeof raw === 'object'
        ? ((raw as Record<string, unknown[]>)[collection]?.[index] as Record<string, unknown> | undefined)
        : undefined;
    const id = record && typeof collection === 'string' ? record[RECORD_ID[collection] ?? ''] : undefined;
    const where =
      typeof index === 'number'
        ? `${String(collection)}[${index}]${id !== undefined ? ` (${String(id)})` : ''}${field.length ? `.${field.join('.')}` : ''}`
        : (issue?.path.join('.') ?? 'file');
    throw new SnapshotError(
      `${where || 'file'}: ${issue?.message ?? 'invalid'}. Nothing was loaded; fix the record and run seed again.`,
    );
  }
  const snapshot = parsed.data;
  const duplicate = (collection: keyof typeof RECORD_ID, ids: string[]) => {
    const seen = new Set<string>();
    ids.forEach((id, i) => {
      if (seen.has(id))
        throw new SnapshotError(`${collection}[${i}] (${id}): the id appears twice. Nothing was loaded.`);
      seen.add(id);
    });
  };
  duplicate(
    'vendors',
    snapshot.vendors.map((v) => v.vendorId),
  );
  duplicate(
    'purchaseOrders',
    snapshot.purchaseOrders.map((p) => normaliseDocumentNumber(p.poNumber)),
  );
  duplicate(
    'goodsReceipts',
    snapshot.goodsReceipts.map((r) => r.receiptId),
  );
  const vendorIds = new Set(snapshot.vendors.map((v) => v.vendorId));
  const poNumbers = new Set(snapshot.purchaseOrders.map((p) => normaliseDocumentNumber(p.poNumber)));
  snapshot.purchaseOrders.forEach((po, i) => {
    if (!vendorIds.has(po.vendorId))
      throw new SnapshotError(
        `purchaseOrders[${i}] (${po.poNumber}).vendorId: no vendor ${po.vendorId}. Nothing was loaded.`,
      );
  });
  snapshot.goodsReceipts.forEach((r, i) => {
    if (!poNumbers.has(normaliseDocumentNumber(r.poNumber))) {
      throw new SnapshotError(
        `goodsReceipts[${i}] (${r.receiptId}).poNumber: no purchase order ${r.poNumber}. Nothing was loaded.`,
      );
    }
  });
  snapshot.processedInvoices.forEach((inv, i) => {
    if (!vendorIds.has(inv.vendorId))
      throw new SnapshotError(
        `processedInvoices[${i}] (${inv.invoiceNumber}).vendorId: no vendor ${inv.vendorId}. Nothing was loaded.`,
      );
  });
  duplicate(
    'customers',
    snapshot.customers.map((c) => c.customerId),
  );
  duplicate(
    'openReceivables',
    snapshot.openReceivables.map((r) => r.receivableId),
  );
  const customerIds = new Set(snapshot.customers.map((c) => c.customerId));
  snapshot.openReceivables.forEach((r, i) => {
    if (!customerIds.has(r.customerId))
      throw new SnapshotError(
        `openReceivables[${i}] (${r.receivableId}).customerId: no customer ${r.customerId}. Nothing was loaded.`,
      );
  });
  return snapshot;
}
