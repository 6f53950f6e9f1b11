import { createRequire } from 'node:module';

/**
 * pdf.js, loaded when a PDF needs it. In a Lambda bundle there is neither its worker file nor the
 * native canvas it polyfills DOMMatrix from: the worker is loaded in this thread (it sets
 * globalThis.pdfjsWorker), and an empty DOMMatrix lets the module initialise — listing
 * attachments and reading text never render a page.
 */
export async function loadPdfJs() {
  const globals = globalThis as { DOMMatrix?: unknown };
  if (globals.DOMMatrix === undefined && !canvasInstalled()) globals.DOMMatrix = class DOMMatrix {};
  // @ts-expect-error pdf.js ships no type declarations for its worker module.
  await import('pdfjs-dist/legacy/build/pdf.worker.mjs');
  return import('pdfjs-dist/legacy/build/pdf.mjs');
}

/** Where the native canvas is installed, pdf.js polyfills DOMMatrix from it itself. */
function canvasInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('@napi-rs/canvas');
    return true;
  } catch {
    return false;
  }
}

/** The folder of the 14 standard PDF fonts pdf.js ships, when it is installed as a package (not in a bundle). */
export function standardFontDataUrl(): string | undefined {
  try {
    const packageJson = createRequire(import.meta.url).resolve('pdfjs-dist/package.json');
    return `${packageJson.slice(0, -'package.json'.length)}standard_fonts/`;
  } catch {
    return undefined;
  }
}
