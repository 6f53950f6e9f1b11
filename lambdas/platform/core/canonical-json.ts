/**
 * Canonical JSON (RFC 8785, JCS): object keys sorted by UTF-16 code units, no whitespace,
 * numbers and strings serialised as ECMAScript does. The same value always gives the same
 * bytes, so hashes over it are stable.
 */
export function canonicalJson(value: unknown, path = '$'): string {
  if (value === null || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new TypeError(`Canonical JSON cannot hold NaN or Infinity (at ${path}).`);
    return JSON.stringify(value);
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint')
    throw new TypeError(`Canonical JSON cannot hold a bigint (at ${path}): write money as a decimal string.`);
  if (Array.isArray(value)) {
    // JSON.stringify writes a hole or undefined in an array as null: refuse it, so two different arrays never hash alike.
    const items: string[] = [];
    for (let i = 0; i < value.length; i++) {
      if (value[i] === undefined)
        throw new TypeError(
          `Canonical JSON cannot hold undefined in an array (at ${path}[${i}]): write null.`,
        );
      items.push(canonicalJson(value[i], `${path}[${i}]`));
    }
    return `[${items.join(',')}]`;
  }
  if (typeof value === 'object') {
    // A Date, a Map or a class instance would silently become {} (or its toJSON): refuse it, so a hash never covers less than its value.
    const prototype = Object.getPrototypeOf(value);
    if ((prototype !== Object.prototype && prototype !== null) || 'toJSON' in value)
      throw new TypeError(
        `Canonical JSON holds plain objects only; ${path} is a ${value.constructor?.name ?? 'non-plain object'}: convert it (a date to an ISO string) first.`,
      );
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v, `${path}.${k}`)}`).join(',')}}`;
  }
  throw new TypeError(`Canonical JSON cannot hold a ${typeof value} (at ${path}).`);
}
