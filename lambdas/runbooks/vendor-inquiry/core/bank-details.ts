import { type NewBankDetails, newBankDetailsSchema } from '#runbooks/vendor-bank-change/core/bank-change.ts';

const IBAN = /\b([A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?)\b/g;
const ACCOUNT = /\baccount(?: number| no\.?| #)?\s*[:#]?\s*(\d[\d -]{2,22}\d)\b/i;
const ROUTING = /\b(?:routing|aba)(?: number| no\.?| #)?\s*[:#]?\s*(\d{9})\b/i;

/**
 * The new bank details a message gives, when its check digits hold: an IBAN, or a US account
 * with an ABA routing number. They are only ever handed to the vendor bank-change runbook, which
 * verifies them by call-back; nothing here writes them anywhere else.
 */
export function bankDetailsIn(text: string): NewBankDetails | null {
  const body = text.slice(0, 20_000);
  for (const match of body.matchAll(IBAN)) {
    const parsed = newBankDetailsSchema.safeParse({ iban: (match[1] ?? '').replace(/ /g, '') });
    if (parsed.success) return parsed.data;
  }
  const account = ACCOUNT.exec(body)?.[1];
  const routing = ROUTING.exec(body)?.[1];
  if (account && routing) {
    const parsed = newBankDetailsSchema.safeParse({
      bankAccount: account.replace(/[ -]/g, ''),
      routingNumber: routing,
    });
    if (parsed.success) return parsed.data;
  }
  return null;
}
