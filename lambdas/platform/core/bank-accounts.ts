/**
 * Bank account and bank identifiers, checked by their own check digits or pattern. Pure
 * functions of a string: they say whether a value is well formed, never whether the account exists.
 */

/** Print format ("de89 3704-0044 …") to the canonical form: no spaces or dashes, upper case. */
export function normaliseAccountIdentifier(value: string): string {
  return value.toUpperCase().replace(/[\s\u2010-\u2015-]/g, '');
}

const IBAN = /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/;

/** ISO 13616: country and check digits moved to the end, letters as 10–35, the whole number mod 97 = 1. */
export function isValidIban(value: string): boolean {
  const iban = normaliseAccountIdentifier(value);
  if (!IBAN.test(iban)) return false;
  const rearranged = `${iban.slice(4)}${iban.slice(0, 4)}`;
  let remainder = 0;
  // At most 34 characters, two digits each: the loop is bounded by the IBAN's length.
  for (const char of rearranged) {
    const digits = char >= '0' && char <= '9' ? char : String(char.charCodeAt(0) - 55);
    for (const digit of digits) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

/**
 * ISO 9362 BIC as the ISO 20022 BICFI pattern has it: 4 party prefix characters, 2 country
 * letters, 2 location characters, optional 3 branch characters. The 2014 revision lets the
 * party prefix carry digits, so a schema-valid BIC is accepted here even if none is issued yet.
 * Taken exactly as written: a bank file carries the BIC as given, so no normalising.
 */
const BIC = /^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/;

export function isValidBic(value: string): boolean {
  return BIC.test(value);
}

const ABA_ROUTING = /^\d{9}$/;
const ABA_WEIGHTS = [3, 7, 1, 3, 7, 1, 3, 7, 1] as const;

/** ABA routing transit number: 9 digits whose 3-7-1 weighted sum is a multiple of 10. */
export function isValidAbaRouting(value: string): boolean {
  if (!ABA_ROUTING.test(value)) return false;
  let total = 0;
  for (let index = 0; index < 9; index += 1) total += Number(value[index]) * (ABA_WEIGHTS[index] ?? 0);
  return total % 10 === 0;
}

/** The ninth digit that makes an 8-digit routing prefix a valid ABA number. */
export function abaCheckDigit(firstEight: string): string {
  if (!/^\d{8}$/.test(firstEight)) throw new TypeError('An ABA routing prefix is 8 digits.');
  let total = 0;
  for (let index = 0; index < 8; index += 1) total += Number(firstEight[index]) * (ABA_WEIGHTS[index] ?? 0);
  return String((10 - (total % 10)) % 10);
}
