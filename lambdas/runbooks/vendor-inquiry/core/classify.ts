/**
 * The inquiry's intent and the references it mentions. The deterministic local model reads by
 * these patterns; Bedrock answers in the same shape (`classificationSchema`) and the runbook
 * trusts neither beyond it: what is disclosed is decided by identity and the system of record.
 */
import * as z from 'zod';

export const INTENTS = [
  'PAYMENT_STATUS',
  'REMITTANCE_DETAILS',
  'INVOICE_COPY',
  'SHORT_PAYMENT_DISPUTE',
  'BANK_DETAIL_CHANGE',
  'STATEMENT_REQUEST',
  'OTHER',
] as const;
export type Intent = (typeof INTENTS)[number];

/** A document number as written: no spaces, so a sentence (an instruction) cannot pass as one. */
const reference = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9/_&.-]{0,63}$/, 'a document number without spaces');

export const classificationSchema = z.strictObject({
  intent: z.enum(INTENTS),
  invoiceNumbers: z.array(reference).max(20),
  poNumbers: z.array(reference).max(20),
  /** Decimal strings, as written in the message without thousands separators. */
  amounts: z.array(z.string().regex(/^\d+(\.\d+)?$/)).max(20),
});
export type Classification = z.infer<typeof classificationSchema>;

/** An inquiry as it arrived: who sent it (as the From header shows it), the subject and the body. */
export interface InquiryMessage {
  readonly from: string;
  readonly subject: string;
  readonly body: string;
}

/** First match wins: a bank-detail change outranks everything, so it is never answered as a status question. */
const INTENT_PATTERNS: readonly (readonly [Intent, RegExp])[] = [
  [
    'BANK_DETAIL_CHANGE',
    /\b(?:new|changed?|changing|update[ds]?|updating|switch(?:ed|ing)?|moved?)\b[^.!?\n]{0,40}\b(?:bank|banking|account number|routing|iban|remit[- ]to)\b|\b(?:bank|banking|account|routing|iban|remit[- ]to)\b[^.!?\n]{0,40}\b(?:have changed|has changed|changed|change|update|updated|new)\b/i,
  ],
  [
    'SHORT_PAYMENT_DISPUTE',
    /\bshort[- ]?(?:paid|pay(?:ment)?)\b|\bunder[- ]?paid\b|\bpaid (?:us )?less\b|\bshortfall\b|\bonly (?:received|got)\b|\bpartial(?:ly)? pa(?:id|yment)\b|\bdeduct(?:ed|ion)\b|\bmissing (?:amount|balance)\b|\bdispute\b/i,
  ],
  [
    'REMITTANCE_DETAILS',
    /\bremittance\b|\bpayment (?:reference|details|breakdown)\b|\bwhich invoices? (?:did|does|do|was|were)\b[^.?!]{0,30}\bpayment\b|\btrace number\b/i,
  ],
  [
    'INVOICE_COPY',
    /\bcopy of (?:the |our |your |an? )?invoices?\b|\binvoice cop(?:y|ies)\b|\bre-?send (?:the |us )?invoices?\b|\bpdf of (?:the )?invoices?\b/i,
  ],
  [
    'STATEMENT_REQUEST',
    /\bstatement\b|\bopen items\b|\baging\b|\ball (?:open|outstanding|unpaid) invoices\b/i,
  ],
  [
    'PAYMENT_STATUS',
    /\bpayment status\b|\bstatus of\b|\bwhen (?:will|can|do|should)\b|\bwhere is\b|\bbeen paid\b|\bpaid yet\b|\bnot (?:yet )?(?:been )?(?:received|paid)\b|\boverdue\b|\boutstanding\b|\bpast due\b|\bexpect (?:the )?payment\b|\bany update\b|\bwas (?:it|this|that) paid\b|\bpayment (?:date|for)\b|\bhas .{0,40} been (?:paid|approved)\b|\bconfirm\b[^.?!]{0,30}\bpa(?:y|id|yment)\b|\bstatus\b/i,
  ],
];

/** Invoice-number-like tokens: letters, digits and dashes with at least one digit. */
const TOKEN = /[A-Za-z0-9][A-Za-z0-9/_-]{1,40}/g;
const INVOICE_LIST =
  /\b(?:invoices?|inv)\b\.?\s*(?:(?:no|nos|number|numbers|nr|#)\b\.?\s*)?[:#]?\s*((?:[A-Za-z0-9][A-Za-z0-9/_-]*\d[A-Za-z0-9/_-]*|\d[A-Za-z0-9/_-]*)(?:\s*(?:,|&|\band\b|\/|;)\s*#?\s*[A-Za-z0-9][A-Za-z0-9/_-]*\d[A-Za-z0-9/_-]*)*)/gi;
const PO = /\b(?:purchase order|p\.?o\.?)\s*(?:no\.?|number|#)?\s*[:#-]?\s*((?:PO-?)?\d{4,12})\b/gi;
const AMOUNT = /(?:\$|USD\s?|US\$\s?|€|EUR\s?)\s?(\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)/gi;
/** Codes such as AIS-10514 or INV-0042 count as invoice numbers even without the word "invoice". */
const CODE = /\b([A-Z]{2,6}-\d{3,12})\b/g;

function unique(values: Iterable<string>): string[] {
  const seen = new Map<string, string>();
  for (const value of values) {
    const key = value.toUpperCase().replace(/[^A-Z0-9]/g, '');
    if (key && !seen.has(key)) seen.set(key, value);
  }
  return [...seen.values()];
}

function poForm(value: string): string {
  return `PO-${value.replace(/^PO-?/i, '')}`;
}

/** The deterministic classifier the local model uses: patterns, no guessing. */
export function classifyMessage(message: Pick<InquiryMessage, 'subject' | 'body'>): Classification {
  const text = `${message.subject}\n${message.body}`.slice(0, 20_000);
  const intent = INTENT_PATTERNS.find(([, pattern]) => pattern.test(text))?.[0] ?? 'OTHER';
  const poNumbers = unique([...text.matchAll(PO)].map((m) => poForm(m[1] ?? '')));
  const poKeys = new Set(poNumbers.map((po) => po.replace(/[^0-9]/g, '')));
  const invoiceCandidates: string[] = [];
  for (const match of text.matchAll(INVOICE_LIST))
    for (const token of (match[1] ?? '').match(TOKEN) ?? [])
      if (/\d/.test(token) && !/^and$/i.test(token)) invoiceCandidates.push(token);
  for (const match of text.matchAll(CODE)) invoiceCandidates.push(match[1] ?? '');
  const invoiceNumbers = unique(
    invoiceCandidates.filter((token) => {
      if (/^PO-?\d+$/i.test(token)) return false;
      return !poKeys.has(token.replace(/[^0-9]/g, '')) || /[A-Za-z]/.test(token.replace(/^PO-?/i, ''));
    }),
  ).slice(0, 20);
  const amounts = unique([...text.matchAll(AMOUNT)].map((m) => (m[1] ?? '').replace(/,/g, ''))).slice(0, 20);
  return { intent, invoiceNumbers, poNumbers: poNumbers.slice(0, 20), amounts };
}

/**
 * Signals that the message tries to steer the agent or reach past the sender's own data. They
 * never widen what is disclosed (that is fixed by identity and the facts); they send the reply
 * to a clerk as a draft.
 */
const SUSPICIOUS: readonly (readonly [string, RegExp])[] = [
  [
    'INSTRUCTION_INJECTION',
    /\bignore (?:all |any |the )?(?:previous|prior|above|earlier|your)\b|\bdisregard\b|\bsystem prompt\b|\byou are now\b|\bnew instructions?\b|\bdeveloper mode\b|<\/?(?:system|instructions?|assistant)>|\bact as\b|\bjailbreak\b/i,
  ],
  [
    'OTHER_PARTY_DATA',
    /\b(?:other|another|all) (?:vendors?|suppliers?|companies|customers?)\b|\binvoices? (?:of|for|from) (?:other|another|all)\b|\blist (?:all|every) (?:vendors?|suppliers?|payments?)\b|\bevery (?:vendor|supplier|invoice|payment)\b/i,
  ],
];

export function suspiciousSignals(message: Pick<InquiryMessage, 'subject' | 'body'>): string[] {
  const text = `${message.subject}\n${message.body}`.slice(0, 20_000);
  return SUSPICIOUS.filter(([, pattern]) => pattern.test(text)).map(([code]) => code);
}
