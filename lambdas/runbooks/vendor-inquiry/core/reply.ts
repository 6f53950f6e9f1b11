import type { Intent } from './classify.ts';
import type { InquiryFacts, InvoiceFact } from './facts.ts';

/** What an unknown sender reads: nothing about any invoice, payment or vendor. */
export const GENERIC_ACKNOWLEDGEMENT = [
  'Hello,',
  '',
  'Thank you for your message. We have received it, and a member of our accounts payable team will review it and reply.',
  'For your security we share invoice and payment details only with the contact addresses a vendor has registered with us.',
  '',
  'Accounts Payable',
].join('\n');

export type ReplyStatus = 'SENT' | 'DRAFT';

/** Why a reply waits for a clerk instead of going out. */
export type DraftReason =
  | 'FACT_CHECK_FAILED'
  | 'OUTSIDE_PACT'
  | 'NO_OUTBOX'
  | 'SUSPICIOUS_MESSAGE'
  | 'NEEDS_A_PERSON'
  | 'INVOICE_UNDER_REVIEW';

function invoiceLine(fact: InvoiceFact): string {
  const n = fact.invoiceNumber;
  switch (fact.status) {
    case 'RECEIVED':
      return `Invoice ${n}: received and being processed.`;
    case 'PENDING_APPROVAL':
      return `Invoice ${n}: received and awaiting approval.`;
    case 'APPROVED':
      return `Invoice ${n}: approved for payment.`;
    case 'SCHEDULED':
      return fact.scheduledFor
        ? `Invoice ${n}: approved; ${fact.amount} ${fact.currency} is scheduled to be paid on ${fact.scheduledFor}.`
        : `Invoice ${n}: approved; ${fact.amount} ${fact.currency} will be paid in our next payment run.`;
    case 'IN_PAYMENT':
      return `Invoice ${n}: ${fact.amount} ${fact.currency} has been sent to our bank for payment, reference ${fact.paymentReference}.`;
    case 'PAID':
      return `Invoice ${n}: paid ${fact.amount} ${fact.currency}${fact.paidOn ? ` on ${fact.paidOn}` : ''}${
        fact.paymentReference ? `, payment reference ${fact.paymentReference}` : ''
      }.`;
    case 'REJECTED':
      return `Invoice ${n}: not approved. ${fact.reason}`;
    case 'UNDER_REVIEW':
      return `Invoice ${n}: under review by our team; we will contact you about it.`;
  }
}

const OPENING: Readonly<Record<Intent, string>> = {
  PAYMENT_STATUS: 'Thank you for your message. Here is where your invoices stand with us:',
  REMITTANCE_DETAILS: 'Thank you for your message. Here are the payment details we hold for your invoices:',
  INVOICE_COPY:
    'Thank you for your message. A member of our accounts payable team will look at your request and reply.',
  SHORT_PAYMENT_DISPUTE:
    'Thank you for your message about a payment that was less than you expected. We have opened a case, and a member of our accounts payable team will review it and reply.',
  BANK_DETAIL_CHANGE:
    'Thank you for your message about your bank details. We never change bank details on the strength of an e-mail: before anything changes, a member of our team will call you back on a telephone number we already hold for you. Until then, payments continue to the account on file.',
  STATEMENT_REQUEST:
    'Thank you for your message. A member of our accounts payable team will prepare your statement and reply.',
  OTHER:
    'Thank you for your message. A member of our accounts payable team will look at your request and reply.',
};

const NOT_FOUND =
  'We could not find some of the invoice numbers in your message on your account. If you sent them recently they may still be on their way to us; otherwise please send us a copy.';
const ASK_FOR_NUMBERS =
  'Please tell us the invoice numbers you are asking about, and we will reply with where each one stands.';

/** The reply built from the facts by template: the only numbers in it are the facts'. */
export function composeReply(intent: Intent, facts: InquiryFacts | null): string {
  if (!facts) return GENERIC_ACKNOWLEDGEMENT;
  const lines = [`Dear ${facts.vendorName},`, '', OPENING[intent]];
  // A bank-detail change says nothing about invoices: it is a request to verify, not to answer.
  if (intent !== 'BANK_DETAIL_CHANGE') {
    if (facts.invoices.length) lines.push('', ...facts.invoices.map((fact) => `- ${invoiceLine(fact)}`));
    if (facts.notFound > 0) lines.push('', NOT_FOUND);
    if (
      !facts.invoices.length &&
      facts.notFound === 0 &&
      (intent === 'PAYMENT_STATUS' || intent === 'REMITTANCE_DETAILS')
    )
      lines.push('', ASK_FOR_NUMBERS);
  }
  lines.push('', 'Accounts Payable');
  return lines.join('\n');
}

/** Every string the reply may contain that holds a digit: what the facts hold, nothing else. */
export function factTokens(facts: InquiryFacts | null): Set<string> {
  const allowed = new Set<string>();
  if (!facts) return allowed;
  const add = (value: string | null | undefined) => {
    if (!value) return;
    for (const token of tokensOf(value)) allowed.add(token);
  };
  add(facts.vendorName);
  for (const fact of facts.invoices) {
    add(fact.invoiceNumber);
    if ('amount' in fact) add(fact.amount);
    if ('scheduledFor' in fact) add(fact.scheduledFor);
    if ('paidOn' in fact) add(fact.paidOn);
    if ('paymentReference' in fact) add(fact.paymentReference);
    if ('reason' in fact) add(fact.reason);
  }
  return allowed;
}

/** Tokens with a digit: numbers, dates, references, invoice numbers, amounts. */
function tokensOf(text: string): string[] {
  return (text.match(/[^\s,;()[\]<>"'“”‘’]+/gu) ?? [])
    .map((token) => token.replace(/^[.:!?*_-]+|[.:!?*_-]+$/gu, ''))
    .filter((token) => /\p{Nd}/u.test(token));
}

/**
 * The check made in code before anything is sent: every number, date and reference in the text
 * must be one the facts contain. Returns what is not (empty: the reply may go).
 */
export function unsupportedTokens(text: string, facts: InquiryFacts | null): string[] {
  const allowed = factTokens(facts);
  return [...new Set(tokensOf(text).filter((token) => !allowed.has(token)))];
}

export interface ReplyDecisionInput {
  readonly identified: boolean;
  readonly intent: Intent;
  readonly facts: InquiryFacts | null;
  readonly signals: readonly string[];
  readonly unsupported: readonly string[];
  readonly withinPact: boolean;
  readonly canSend: boolean;
}

/** SENT only when nothing needs a person; otherwise a DRAFT with every reason that applies. */
export function replyDecision(input: ReplyDecisionInput): { status: ReplyStatus; reasons: DraftReason[] } {
  const reasons: DraftReason[] = [];
  if (input.unsupported.length) reasons.push('FACT_CHECK_FAILED');
  if (!input.withinPact) reasons.push('OUTSIDE_PACT');
  if (!input.canSend) reasons.push('NO_OUTBOX');
  if (input.identified) {
    if (input.signals.length) reasons.push('SUSPICIOUS_MESSAGE');
    if (input.intent === 'INVOICE_COPY' || input.intent === 'STATEMENT_REQUEST' || input.intent === 'OTHER')
      reasons.push('NEEDS_A_PERSON');
    if (input.facts?.invoices.some((fact) => fact.status === 'UNDER_REVIEW'))
      reasons.push('INVOICE_UNDER_REVIEW');
  }
  return { status: reasons.length ? 'DRAFT' : 'SENT', reasons };
}

/** The reply's subject: the inquiry's, on one line, at most 200 characters, prefixed "Re:" once. */
export function replySubject(subject: string): string {
  const clean = subject
    .replace(/[\r\n]+/g, ' ')
    .trim()
    .slice(0, 200);
  return /^re:/i.test(clean) ? clean : `Re: ${clean || 'your message'}`;
}
