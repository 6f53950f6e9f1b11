/** How figures read on the page. Amounts stay the API's decimal strings: never parsed to floats. */

export function money(amount: string | null | undefined, currency: string | null | undefined): string {
  if (!amount) return '—';
  const [whole = '0', fraction] = amount.replace(/^-/, '').split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${amount.startsWith('-') ? '-' : ''}${grouped}${fraction === undefined ? '' : `.${fraction}`} ${currency ?? ''}`.trim();
}

/** Compares two decimal strings exactly (for sorting by amount). */
export function compareDecimal(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  const [aw = '0', af = ''] = a.split('.');
  const [bw = '0', bf = ''] = b.split('.');
  const width = Math.max(af.length, bf.length);
  const ai = BigInt(aw + af.padEnd(width, '0'));
  const bi = BigInt(bw + bf.padEnd(width, '0'));
  return ai < bi ? -1 : ai > bi ? 1 : 0;
}

export function age(from: string, now = Date.now()): string {
  const minutes = Math.max(0, Math.floor((now - Date.parse(from)) / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.floor(hours / 24)} d`;
}

export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

export function percent(confidence: number | null | undefined): string {
  return typeof confidence === 'number' ? `${Math.round(confidence * 100)}%` : '—';
}
