import type { Vendor } from '#platform/system-of-record/core/reference-data.ts';

/**
 * Identity before data: the sender's address — never its display name, never anything the body
 * says — is matched to one vendor by a contact address registered in the vendor master, or by the
 * domain those addresses use. Anything else (an unknown or look-alike domain, a shared mail
 * provider, an address two vendors share) identifies nobody, and nothing is disclosed.
 */
export interface Sender {
  /** Lower-cased address. */
  readonly address: string;
  readonly domain: string;
  readonly displayName: string | null;
}

export type IdentityMethod = 'CONTACT_ADDRESS' | 'CONTACT_DOMAIN';

export type IdentityOutcome =
  | {
      readonly identified: true;
      readonly vendorId: string;
      readonly vendorName: string;
      readonly method: IdentityMethod;
      readonly signals: readonly string[];
    }
  | {
      readonly identified: false;
      /** Why nobody was identified, as a code. */
      readonly reason:
        | 'NO_MATCH'
        | 'NON_ASCII_ADDRESS'
        | 'SHARED_MAIL_DOMAIN'
        | 'AMBIGUOUS_ADDRESS'
        | 'AMBIGUOUS_DOMAIN'
        | 'VENDOR_BLOCKED';
      readonly signals: readonly string[];
    };

const ADDRESS = /^[^\s@<>"]{1,64}@[^\s@<>"]{1,253}\.[^\s@<>".]{2,63}$/u;
const ASCII_ADDRESS = /^[a-z0-9._%+-]{1,64}@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,63}$/;

/**
 * `billing@x.example`, `Name <billing@x.example>` or `"Name" <billing@x.example>`: exactly one
 * address. Anything else is not a sender (null).
 */
export function parseSender(from: string): Sender | null {
  const trimmed = from.trim();
  const angled = /^(.*?)<([^<>]+)>\s*$/su.exec(trimmed);
  const raw = (angled ? angled[2] : trimmed)?.trim() ?? '';
  if (!ADDRESS.test(raw)) return null;
  const address = raw.toLowerCase();
  const display =
    angled?.[1]
      ?.trim()
      .replace(/^"(.*)"$/su, '$1')
      .trim() ?? '';
  // A second address in the display part (`<a@x> <b@y>`) is two senders, not one.
  if (/[<>]/.test(display)) return null;
  return {
    address,
    domain: address.slice(address.lastIndexOf('@') + 1),
    displayName: display.length ? display.slice(0, 200) : null,
  };
}

/** The domain of a registered contact address, lower-cased. */
export function domainOf(address: string): string {
  const lower = address.trim().toLowerCase();
  return lower.slice(lower.lastIndexOf('@') + 1);
}

/** The index keys a vendor's contact addresses are found under: one per address and one per domain. */
export function contactKeysOf(vendor: Pick<Vendor, 'vendorId' | 'contactEmails'>): {
  address: string[];
  domain: string[];
} {
  const addresses = [...new Set((vendor.contactEmails ?? []).map((e) => e.trim().toLowerCase()))];
  return { address: addresses, domain: [...new Set(addresses.map(domainOf))] };
}

/**
 * Decides who the sender is from candidate vendors (those the contact index names for the
 * address or its domain). Candidates are re-checked against their own master record, so a stale
 * index entry identifies nobody.
 */
export function identifySender(
  sender: Sender,
  candidates: readonly Vendor[],
  sharedMailDomains: readonly string[],
): IdentityOutcome {
  const signals: string[] = [];
  if (
    sender.displayName &&
    /@/.test(sender.displayName) &&
    !sender.displayName.toLowerCase().includes(sender.address)
  )
    signals.push('DISPLAY_NAME_NAMES_ANOTHER_ADDRESS');
  if (!ASCII_ADDRESS.test(sender.address)) return { identified: false, reason: 'NON_ASCII_ADDRESS', signals };
  const byAddress = candidates.filter((v) => contactKeysOf(v).address.includes(sender.address));
  const byDomain = candidates.filter((v) => contactKeysOf(v).domain.includes(sender.domain));
  const chosen = (vendor: Vendor, method: IdentityMethod): IdentityOutcome =>
    vendor.status === 'BLOCKED'
      ? { identified: false, reason: 'VENDOR_BLOCKED', signals }
      : { identified: true, vendorId: vendor.vendorId, vendorName: vendor.name, method, signals };
  if (byAddress.length > 1) return { identified: false, reason: 'AMBIGUOUS_ADDRESS', signals };
  const [exact] = byAddress;
  if (exact) return chosen(exact, 'CONTACT_ADDRESS');
  if (sharedMailDomains.map((d) => d.toLowerCase()).includes(sender.domain))
    return { identified: false, reason: 'SHARED_MAIL_DOMAIN', signals };
  if (byDomain.length > 1) return { identified: false, reason: 'AMBIGUOUS_DOMAIN', signals };
  const [domain] = byDomain;
  if (domain) return chosen(domain, 'CONTACT_DOMAIN');
  return { identified: false, reason: 'NO_MATCH', signals };
}
