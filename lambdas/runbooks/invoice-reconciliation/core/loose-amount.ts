/**
 * Reads an amount as people print it ("6,373.30", "6.373,30", "$ 1 234.50", "(12.00)") into
 * a plain decimal string. Returns undefined when the text is not an amount.
 */
export function normaliseAmount(text: string): string | undefined {
  let value = text
    .trim()
    .replace(/^[A-Z]{3}\s*/, '')
    .replace(/\s*[A-Z]{3}$/, '')
    .replace(/[$€£¥\s\u00a0']/g, '');
  let negative = false;
  if (/^\(.*\)$/.test(value)) {
    negative = true;
    value = value.slice(1, -1);
  }
  if (value.startsWith('-')) {
    negative = true;
    value = value.slice(1);
  }
  if (!/^[\d.,]+$/.test(value) || !/\d/.test(value)) return undefined;
  const lastDot = value.lastIndexOf('.');
  const lastComma = value.lastIndexOf(',');
  const decimalMark = lastDot > lastComma ? '.' : lastComma > lastDot ? ',' : undefined;
  let whole = value;
  let fraction = '';
  if (decimalMark) {
    const at = value.lastIndexOf(decimalMark);
    const tail = value.slice(at + 1);
    // "1,234" is thousands, "1,23" or "1,5" is a decimal comma.
    const isDecimal =
      decimalMark === '.'
        ? !(tail.length === 3 && value.indexOf('.') !== at)
        : tail.length !== 3 || value.includes('.');
    if (isDecimal) {
      whole = value.slice(0, at);
      fraction = tail;
    }
  }
  whole = whole.replace(/[.,]/g, '');
  if (!/^\d+$/.test(whole || '0') || !/^\d*$/.test(fraction)) return undefined;
  const digits = `${(whole || '0').replace(/^0+(?=\d)/, '')}${fraction ? `.${fraction}` : ''}`;
  return negative ? `-${digits}` : digits;
}
