import { logger } from '#platform/aws/logger.ts';
import { TollgateError } from '#platform/core/errors.ts';
import { EINVOICE_LIMITS, refuse } from '#platform/documents/core/e-invoice.ts';
import { loadPdfJs } from './pdfjs.ts';

/** A file embedded in a PDF (its EmbeddedFiles name tree), as pdf.js lists it. */
export interface PdfAttachment {
  readonly filename: string;
  readonly bytes: Uint8Array;
}

/** Limits on what a PDF may embed: beyond them the PDF is refused whole (EINVOICE_TOO_LARGE). */
export const PDF_ATTACHMENT_LIMITS = {
  maxAttachments: EINVOICE_LIMITS.maxAttachments,
  /** Decoded bytes of all embedded files together. */
  maxBytes: 5_000_000,
} as const;

/**
 * The files a PDF embeds, read by pdf.js (loaded only when a PDF needs it). A PDF pdf.js cannot
 * open has none: reading its text fails later, where it always did. Too many, or too large
 * together, is refused with EINVOICE_TOO_LARGE.
 */
export async function pdfAttachments(bytes: Uint8Array): Promise<PdfAttachment[]> {
  let found: Record<string, { filename?: string; content?: Uint8Array }> | null;
  let pdf: { getAttachments(): Promise<typeof found>; destroy(): Promise<void> } | undefined;
  try {
    const { getDocument } = await loadPdfJs();
    pdf = await getDocument({
      data: new Uint8Array(bytes),
      isEvalSupported: false,
      useSystemFonts: false,
      verbosity: 0,
    }).promise;
    found = await pdf.getAttachments();
  } catch (error) {
    if (error instanceof TollgateError) throw error;
    logger.warn('PDF attachments could not be read; the PDF is read as a printed invoice', {
      error: (error as Error).message,
    });
    return [];
  } finally {
    await pdf?.destroy();
  }
  const attachments = Object.entries(found ?? {}).map(([key, value]) => ({
    filename: value.filename ?? key,
    bytes: value.content ?? new Uint8Array(),
  }));
  if (attachments.length > PDF_ATTACHMENT_LIMITS.maxAttachments) {
    throw refuse(
      'ATTACHMENTS_TOO_LARGE',
      `The PDF embeds ${attachments.length} files, over the limit of ${PDF_ATTACHMENT_LIMITS.maxAttachments}; ask the vendor to send supporting documents separately.`,
      { limit: PDF_ATTACHMENT_LIMITS.maxAttachments, count: attachments.length },
    );
  }
  const total = attachments.reduce((sum, a) => sum + a.bytes.length, 0);
  if (total > PDF_ATTACHMENT_LIMITS.maxBytes) {
    throw refuse(
      'ATTACHMENTS_TOO_LARGE',
      `The PDF embeds ${total} bytes of files, over the limit of ${PDF_ATTACHMENT_LIMITS.maxBytes}; ask the vendor to send supporting documents separately.`,
      { limit: PDF_ATTACHMENT_LIMITS.maxBytes, bytes: total },
    );
  }
  return attachments;
}
