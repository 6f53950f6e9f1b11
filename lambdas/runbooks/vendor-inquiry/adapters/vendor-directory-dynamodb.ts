import { queryPrefix } from '#platform/aws/query-pages.ts';
import { tableName } from '#platform/aws/resource-env.ts';
import { DynamoDbSystemOfRecord } from '#platform/system-of-record/adapters/system-of-record-dynamodb.ts';
import type { Vendor } from '#platform/system-of-record/core/reference-data.ts';
import { contactKeysOf, type Sender } from '#runbooks/vendor-inquiry/core/identity.ts';

/**
 * The vendor master's contact addresses as an index in the reference table: one item per
 * (address, vendor) and per (domain, vendor), written by the seed beside the vendor. A lookup
 * reads both partitions and then each named vendor's own record, which alone decides.
 */
export const contactIndexKeys = {
  address: (address: string, vendorId: string) => ({
    pk: `VENDOR_CONTACT#${address.trim().toLowerCase()}`,
    sk: `VENDOR#${vendorId}`,
  }),
  domain: (domain: string, vendorId: string) => ({
    pk: `VENDOR_CONTACT_DOMAIN#${domain.trim().toLowerCase()}`,
    sk: `VENDOR#${vendorId}`,
  }),
};

/** The index items of one vendor, for the seed to write. */
export function contactIndexItems(
  vendor: Pick<Vendor, 'vendorId' | 'contactEmails'>,
): { key: { pk: string; sk: string }; data: { vendorId: string } }[] {
  const keys = contactKeysOf(vendor);
  return [
    ...keys.address.map((a) => contactIndexKeys.address(a, vendor.vendorId)),
    ...keys.domain.map((d) => contactIndexKeys.domain(d, vendor.vendorId)),
  ].map((key) => ({ key, data: { vendorId: vendor.vendorId } }));
}

/** More vendors than this under one address or domain is never one vendor: the lookup stops there. */
const MAX_CANDIDATES = 10;

export class DynamoDbVendorDirectory {
  readonly #sor: Pick<DynamoDbSystemOfRecord, 'getVendor'>;
  constructor(sor: Pick<DynamoDbSystemOfRecord, 'getVendor'> = new DynamoDbSystemOfRecord()) {
    this.#sor = sor;
  }

  /** The vendors the index names for the sender's address or domain, read from the master. */
  async candidates(sender: Sender): Promise<Vendor[]> {
    const ids = new Set<string>();
    for (const pk of [
      contactIndexKeys.address(sender.address, '').pk,
      contactIndexKeys.domain(sender.domain, '').pk,
    ]) {
      const items = await queryPrefix(tableName('reference'), pk, 'VENDOR#', {
        maxPages: 1,
        atBound: 'partial',
        what: 'vendor contacts',
      });
      for (const item of items) {
        const vendorId = (item.data as { vendorId?: unknown } | undefined)?.vendorId;
        if (typeof vendorId === 'string') ids.add(vendorId);
      }
    }
    const vendors = await Promise.all(
      [...ids].slice(0, MAX_CANDIDATES * 2).map((id) => this.#sor.getVendor(id)),
    );
    return vendors.filter((vendor): vendor is Vendor => vendor !== undefined);
  }
}
