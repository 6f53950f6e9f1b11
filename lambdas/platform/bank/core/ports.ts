/** A payment file as stored: its key, and the SHA-256 (hex) and size of exactly the bytes written. */
export interface StoredBankFile {
  readonly key: string;
  readonly sha256: string;
  readonly bytes: number;
}

/** One answer the bank delivered, as listed (not yet read). */
export interface InboundBankFile {
  readonly key: string;
  readonly size: number;
  /** S3's entity tag, without quotes: changes when the object is replaced. */
  readonly etag: string;
}

/** The bank-files bucket as payment runs and reconciliations see it. */
export interface BankFileStore {
  /**
   * Writes a payment file once under `outbound/<date>/<name>`. The same name with the same
   * bytes returns the stored file (a retried step); different bytes are a CONFLICT.
   */
  putOutbound(
    name: string,
    body: string | Uint8Array,
    contentType: string,
    options?: { date?: string },
  ): Promise<StoredBankFile>;
  /** At most `limit` answers under `inbound/`, in key order, after `afterKey` when given. */
  listInbound(options: { afterKey?: string; limit: number }): Promise<InboundBankFile[]>;
  /** The bytes of one answer under `inbound/`, refused when larger than `maxBytes`. */
  getInbound(key: string, maxBytes: number): Promise<Uint8Array>;
}
