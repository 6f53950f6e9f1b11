import type { Invoice, InvoiceField, InvoiceLine } from './invoice.ts';
import { normaliseAmount } from './loose-amount.ts';

/**
 * The deterministic local model's reading of an invoice document: labelled fields and line
 * items found by pattern, in any of the layouts people send (a printed invoice, an e-mail, a
 * table). Text in the document is data: nothing in it can change what is extracted except the
 * fields themselves.
 */
const LABELLED = 0.95;
const INFERRED = 0.7;

const AMOUNT = String.raw`\(?-?[$€£]?\s?\d[\d.,' ]*\d\)?|\d`;
const CURRENCIES = [
  'USD',
  'EUR',
  'GBP',
  'CAD',
  'AUD',
  'CHF',
  'JPY',
  'SEK',
  'NOK',
  'DKK',
  'NZD',
  'MXN',
  'SGD',
  'INR',
];
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DATE = String.raw`\d{4}-\d{2}-\d{2}|\d{1,2}[/.]\d{1,2}[/.]\d{4}|[A-Za-z]{3,9}\.? \d{1,2},? \d{4}|\d{1,2} [A-Za-z]{3,9}\.? \d{4}`;

type Confidence = Partial<Record<InvoiceField, number>>;

export function extractInvoiceFromText(text: string): Invoice {
  const doc = text.replace(/\r\n?/g, '\n');
  const confidence: Confidence = {};
  const take = <T>(field: InvoiceField, value: T | undefined, score: number): T | null => {
    confidence[field] = value === undefined ? 0 : score;
    return value ?? null;
  };

  const invoiceNumber = firstMatch(doc, [
    /\binvoice\s*(?:no\b\.?|number\b|num\b\.?|#|id\b)\s*[:#]?\s*([A-Z0-9][A-Z0-9&/._-]*\d[A-Z0-9&/._-]*)/i,
    /\binvoice\s+#?\s*([A-Z0-9][A-Z0-9&/._]*-[A-Z0-9&/._-]*\d)/i,
  ]);
  const taxId = firstMatch(doc, [
    /\b(?:tax\s*id|tin|ein|fein|vat(?:\s*(?:id|no\.?|number|reg(?:istration)?\.?))?|abn)\s*[:#]?\s*([A-Z]{0,2}\d[\dA-Z-]{4,})/i,
  ]);
  const poRaw = firstMatch(doc, [
    /\b(?:p\.?o\.?|purchase\s+order)\s*(?:number|no\.?|num\.?|#|ref(?:erence)?)?\s*[:#]?\s*([A-Z]{0,4}-?\d{3,}[A-Z0-9-]*)/i,
  ]);
  const invoiceDate = parseDate(
    firstMatch(doc, [
      new RegExp(
        String.raw`\b(?:invoice\s+date|date\s+of\s+invoice|issue\s+date|dated|date)\s*:?\s*(${DATE})`,
        'i',
      ),
    ]),
  );
  const dueDate = parseDate(
    firstMatch(doc, [
      new RegExp(
        String.raw`\b(?:due\s+date|payment\s+due|due\s+on|due\s+by|pay\s+by|due)\s*:?\s*(${DATE})`,
        'i',
      ),
      new RegExp(String.raw`\b(?:amount|balance|total)\s+due\b[^\n]*?\bby\s+(${DATE})`, 'i'),
    ]),
  );

  const subtotal = amountAfter(doc, [/\bsub\s*-?\s*total\b/i]);
  const tax = amountAfter(doc, [
    /\b(?:sales\s+tax|vat|gst|tax)(?!\s*(?:id|no\b|number|reg))(?:\s*\([^)\n]*\))?/i,
  ]);
  const total = amountAfter(doc, [
    /\b(?:total\s+(?:amount\s+)?due|amount\s+due|balance\s+due|invoice\s+total|grand\s+total|total\s+payable)\b/i,
    /(?<!sub\s?-?\s?)\btotal\b/i,
  ]);
  const currency = findCurrency(doc);
  const lines = extractLines(doc);
  const linesAddUp =
    lines.length > 0 &&
    subtotal !== undefined &&
    sumDecimals(lines.map((l) => l.amount)) === normaliseFixed(subtotal);

  const account = firstMatch(doc, [
    /\b(?:iban)\s*:?\s*([A-Z]{2}\d{2}[A-Z0-9 ]{10,30}[A-Z0-9])/i,
    /\b(?:account|acct\.?|a\/c)\s*(?:no\.?|number|#)?\s*[:#]?\s*(\d[\d -]{3,20}\d)/i,
  ]);
  const routing = firstMatch(doc, [
    /\b(?:routing|aba|sort\s*code|bsb|swift|bic)\s*(?:no\.?|number|#|code)?\s*[:#]?\s*([A-Z0-9][A-Z0-9-]{5,10})/i,
  ]);
  const vendor = findVendorName(doc);
  const notes = firstMatch(doc, [/^\s*(?:notes?|memo|comments?)\s*:\s*(.+)$/im]);

  return {
    invoiceNumber: take('invoiceNumber', invoiceNumber, LABELLED),
    vendorName: take('vendorName', vendor?.name, vendor?.score ?? 0),
    vendorTaxId: take('vendorTaxId', taxId, LABELLED),
    invoiceDate: take('invoiceDate', invoiceDate, LABELLED),
    dueDate: take('dueDate', dueDate, LABELLED),
    currency: take('currency', currency?.code, currency?.score ?? 0),
    poNumber: poRaw ?? null,
    lines,
    subtotal: take('subtotal', subtotal === undefined ? undefined : normaliseFixed(subtotal), LABELLED),
    tax: take('tax', tax === undefined ? undefined : normaliseFixed(tax), LABELLED),
    total: take('total', total === undefined ? undefined : normaliseFixed(total), LABELLED),
    remitTo: take(
      'remitTo',
      account || routing
        ? {
            bankAccount: account?.replace(/[\s-]/g, '') ?? null,
            routingNumber: routing?.replace(/-/g, '') ?? null,
          }
        : undefined,
      account && routing ? LABELLED : INFERRED,
    ),
    notes: notes ? notes.slice(0, 2000) : null,
    confidence: {
      ...confidence,
      // No PO mentioned at all is a reading, not a miss: the invoice cites none.
      poNumber: poRaw || !/\bp\.?o\.?\b|purchase\s+order/i.test(doc) ? LABELLED : 0.5,
      lines: lines.length === 0 ? 0 : linesAddUp ? LABELLED : INFERRED,
    },
  };
}

function firstMatch(doc: string, patterns: readonly RegExp[]): string | undefined {
  for (const pattern of patterns) {
    const match = pattern.exec(doc);
    if (match?.[1]) return match[1].trim();
  }
  return undefined;
}

/** The amount printed after a label on the same line, skipping a currency code. */
function amountAfter(doc: string, labels: readonly RegExp[]): string | undefined {
  for (const label of labels) {
    for (const line of doc.split('\n')) {
      const found = label.exec(line);
      if (!found) continue;
      const rest = line.slice(found.index + found[0].length);
      const match = new RegExp(String.raw`^\s*[:=]?\s*(?:[A-Z]{3}\s*)?(${AMOUNT})`).exec(rest);
      const amount = match?.[1] ? normaliseAmount(match[1].replace(/[.,]$/, '')) : undefined;
      if (amount !== undefined) return amount;
    }
  }
  return undefined;
}

function findCurrency(doc: string): { code: string; score: number } | undefined {
  const nearTotal = new RegExp(
    String.raw`\b(?:total|amount|balance)[^\n]*?\b(${CURRENCIES.join('|')})\b`,
    'i',
  ).exec(doc);
  if (nearTotal?.[1]) return { code: nearTotal[1].toUpperCase(), score: LABELLED };
  const labelled = /\bcurrency\s*:?\s*([A-Z]{3})\b/i.exec(doc);
  if (labelled?.[1]) return { code: labelled[1].toUpperCase(), score: LABELLED };
  const anywhere = new RegExp(String.raw`\b(${CURRENCIES.join('|')})\b`).exec(doc);
  if (anywhere?.[1]) return { code: anywhere[1], score: INFERRED };
  const symbol = /[$€£]/.exec(doc)?.[0];
  if (symbol) return { code: symbol === '€' ? 'EUR' : symbol === '£' ? 'GBP' : 'USD', score: INFERRED };
  return undefined;
}

/** Line items as a bullet ("30 x Widget (SKU-1) @ 18.45 = 553.50") or a table row (sku, description, qty, unit price, amount). */
function extractLines(doc: string): InvoiceLine[] {
  const lines: InvoiceLine[] = [];
  const bullet = new RegExp(
    String.raw`^\s*(?:[-*•]|\d+[.)])?\s*(\d+(?:\.\d+)?)\s*(?:x|×|pcs?|units?)\s+(.+?)\s*(?:\((?:sku\s*:?\s*)?([A-Z0-9][A-Z0-9-]*)\))?\s*@\s*(?:[A-Z]{3}\s*)?(${AMOUNT})\s*(?:each|ea\.?|/\s*\w+)?\s*=\s*(?:[A-Z]{3}\s*)?(${AMOUNT})\s*$`,
    'i',
  );
  const tableWithSku = new RegExp(
    String.raw`^\s*([A-Z]{0,6}-?\d[A-Z0-9-]*)\s+(.+?)\s+(\d+(?:\.\d+)?)\s+(?:[A-Z]{3}\s*)?(${AMOUNT})\s+(?:[A-Z]{3}\s*)?(${AMOUNT})\s*$`,
    'i',
  );
  const tableNoSku = new RegExp(
    String.raw`^\s*([A-Za-z][^\d\n]{2,}?)\s{2,}(\d+(?:\.\d+)?)\s+(?:[A-Z]{3}\s*)?(${AMOUNT})\s+(?:[A-Z]{3}\s*)?(${AMOUNT})\s*$`,
  );
  for (const raw of doc.split('\n')) {
    if (/\b(?:sub\s*-?total|total|tax|vat|amount due|balance)\b/i.test(raw)) continue;
    let sku: string | null = null;
    let description: string | undefined;
    let quantity: string | undefined;
    let unitPrice: string | undefined;
    let amount: string | undefined;
    const b = bullet.exec(raw);
    const t = b ? undefined : tableWithSku.exec(raw);
    const n = b || t ? undefined : tableNoSku.exec(raw);
    if (b)
      [, quantity, description, sku = null, unitPrice, amount] = b as unknown as [
        string,
        string,
        string,
        string | null,
        string,
        string,
      ];
    else if (t)
      [, sku, description, quantity, unitPrice, amount] = t as unknown as [
        string,
        string,
        string,
        string,
        string,
        string,
      ];
    else if (n)
      [, description, quantity, unitPrice, amount] = n as unknown as [string, string, string, string, string];
    if (!description || !quantity || !unitPrice || !amount) continue;
    const price = normaliseAmount(unitPrice);
    const value = normaliseAmount(amount);
    if (price === undefined || value === undefined) continue;
    lines.push({
      lineNo: lines.length + 1,
      sku: sku ?? null,
      description: description.trim().slice(0, 200),
      quantity,
      unitPrice: normaliseFixed(price),
      amount: normaliseFixed(value),
    });
  }
  return lines.slice(0, 200);
}

function findVendorName(doc: string): { name: string; score: number } | undefined {
  const rows = doc.split('\n').map((l) => l.trim());
  const signOff = rows.findIndex((l) =>
    /^(?:regards|best regards|kind regards|sincerely|thanks|thank you),?$/i.test(l),
  );
  if (signOff >= 0) {
    const name = rows.slice(signOff + 1).find((l) => l.length > 0);
    if (name) return { name, score: INFERRED };
  }
  const labelled = /^\s*(?:vendor|supplier|seller|from)\s*:\s*([^@\n]+)$/im.exec(doc)?.[1]?.trim();
  if (labelled) return { name: labelled, score: LABELLED };
  const first = rows.find((l) => l.length > 0);
  if (first && !/^(?:invoice|from|to|subject|date)\b/i.test(first) && !/\d{3,}/.test(first))
    return { name: first, score: INFERRED };
  return undefined;
}

function parseDate(text: string | undefined): string | undefined {
  if (!text) return undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return text;
  const numeric = /^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$/.exec(text);
  if (numeric) {
    const [a, b, year] = [Number(numeric[1]), Number(numeric[2]), numeric[3]];
    // Day first unless the first number cannot be a day-of-month-first reading.
    const [day, month] = text.includes('.') || a > 12 ? [a, b] : [b, a];
    return iso(year as string, month, day);
  }
  const words =
    /^([A-Za-z]{3,9})\.? (\d{1,2}),? (\d{4})$/.exec(text) ??
    /^(\d{1,2}) ([A-Za-z]{3,9})\.? (\d{4})$/.exec(text);
  if (words) {
    const [monthWord, day] = /^\d/.test(words[1] as string)
      ? [words[2] as string, Number(words[1])]
      : [words[1] as string, Number(words[2])];
    const month = MONTHS.indexOf(monthWord.slice(0, 3).toLowerCase()) + 1;
    if (month > 0) return iso(words[3] as string, month, day);
  }
  return undefined;
}

function iso(year: string, month: number, day: number): string | undefined {
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** "6373.3" → "6373.30": two decimals at least, as amounts are printed. */
function normaliseFixed(amount: string): string {
  const [whole, fraction = ''] = amount.split('.');
  return `${whole}.${fraction.padEnd(2, '0')}`;
}

function sumDecimals(values: readonly string[]): string {
  let cents = 0n;
  for (const value of values) {
    const [whole, fraction = ''] = normaliseFixed(value).replace('-', '').split('.');
    const minor = BigInt(`${whole}${fraction.slice(0, 2)}`);
    cents += value.startsWith('-') ? -minor : minor;
  }
  const negative = cents < 0n;
  const digits = (negative ? -cents : cents).toString().padStart(3, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}
