import { loadPdfJs, standardFontDataUrl } from '#platform/documents/adapters/pdfjs.ts';

/**
 * The text of a PDF, line by line in reading order: what the local model reads when an
 * invoice arrives as a PDF. pdf.js is loaded only when a PDF needs reading.
 */
export async function pdfText(bytes: Uint8Array): Promise<string> {
  // Loaded so that it also runs inside a Lambda bundle (see loadPdfJs).
  const { getDocument } = await loadPdfJs();
  // The 14 standard PDF fonts ship with pdf.js; text extraction uses their metrics where installed.
  const fonts = standardFontDataUrl();
  const pdf = await getDocument({
    data: new Uint8Array(bytes),
    useSystemFonts: false,
    isEvalSupported: false,
    verbosity: 0,
    ...(fonts ? { standardFontDataUrl: fonts } : {}),
  }).promise;
  const pages: string[] = [];
  for (let n = 1; n <= pdf.numPages; n++) {
    const page = await pdf.getPage(n);
    const content = await page.getTextContent();
    const rows = new Map<number, { x: number; text: string }[]>();
    for (const item of content.items) {
      if (!('str' in item) || item.str.trim() === '') continue;
      const [, , , , x, y] = item.transform as number[];
      const key = Math.round((y ?? 0) / 2);
      rows.set(key, [...(rows.get(key) ?? []), { x: x ?? 0, text: item.str }]);
    }
    const lines = [...rows.entries()]
      .sort(([a], [b]) => b - a)
      .map(([, cells]) =>
        cells
          .sort((a, b) => a.x - b.x)
          .map((c) => c.text)
          .join('  ')
          .replace(/[ \t]{3,}/g, '  ')
          .trimEnd(),
      );
    pages.push(lines.join('\n'));
  }
  await pdf.destroy();
  return pages.join('\n\n');
}
