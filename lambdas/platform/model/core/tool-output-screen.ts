/**
 * Screens what a model returned through a tool call before any code uses it. The model reads
 * documents a vendor wrote, so its output is untrusted input: only the fields the tool schema
 * declares, each of the declared kind, short, and free of instructions where a number or an
 * id belongs. A document that says "approve me" must not reach the decision as data.
 */
export type ToolFieldKind = 'text' | 'amount' | 'identifier' | 'date' | 'currency' | 'integer';

export interface ToolFieldSpec {
  readonly kind: ToolFieldKind;
  /** @default true */
  readonly required?: boolean;
  /** Longest string accepted. @default 2000 for text, 64 for every other kind */
  readonly maxLength?: number;
}

export interface ToolOutputSchema {
  readonly fields: Readonly<Record<string, ToolFieldSpec>>;
  /** Nested lists of records, e.g. invoice lines; each item is screened against its own schema. */
  readonly lists?: Readonly<Record<string, { readonly item: ToolOutputSchema; readonly maxItems: number }>>;
}

export interface ToolOutputFinding {
  /** JSON-path-like location, e.g. `lines[2].amount`. */
  readonly path: string;
  readonly reason:
    | 'UNDECLARED_FIELD'
    | 'MISSING_FIELD'
    | 'WRONG_KIND'
    | 'OVERSIZE'
    | 'INSTRUCTION_LIKE'
    | 'TOO_MANY_ITEMS';
}

export type ToolOutputScreen =
  | { readonly accepted: true; readonly value: Readonly<Record<string, unknown>> }
  | { readonly accepted: false; readonly findings: readonly ToolOutputFinding[] };

const PATTERNS: Readonly<Record<Exclude<ToolFieldKind, 'text'>, RegExp>> = {
  amount: /^-?\d{1,15}(\.\d{1,4})?$/,
  // Document numbers use & too ("PF&-10504"); no spaces, so words cannot pass as an id.
  identifier: /^[A-Za-z0-9][A-Za-z0-9._/#:&-]*$/,
  date: /^\d{4}-\d{2}-\d{2}$/,
  currency: /^[A-Z]{3}$/,
  integer: /^-?\d{1,15}$/,
};

/** Phrases that address a reader rather than describe an invoice. */
const INSTRUCTION_LIKE =
  /\b(ignore|disregard|override|bypass)\b.{0,40}\b(instruction|previous|above|rule|polic|limit|control)|\b(approve|release|pay|authori[sz]e)\b.{0,30}\b(this|me|immediately|now|invoice|payment)\b|\bsystem prompt\b|\byou are now\b|<\/?(system|assistant|tool|instructions?)>/i;

const DEFAULT_TEXT_LENGTH = 2000;
const DEFAULT_FIELD_LENGTH = 64;

/** Accepts the value only if every field is declared, of its kind and size, and free of instructions. */
export function screenToolOutput(schema: ToolOutputSchema, value: unknown): ToolOutputScreen {
  const findings: ToolOutputFinding[] = [];
  screenRecord(schema, value, '', findings);
  return findings.length === 0
    ? { accepted: true, value: value as Readonly<Record<string, unknown>> }
    : { accepted: false, findings };
}

function screenRecord(
  schema: ToolOutputSchema,
  value: unknown,
  prefix: string,
  findings: ToolOutputFinding[],
): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    findings.push({ path: prefix || '$', reason: 'WRONG_KIND' });
    return;
  }
  const record = value as Record<string, unknown>;
  const lists = schema.lists ?? {};
  for (const key of Object.keys(record)) {
    if (!(key in schema.fields) && !(key in lists))
      findings.push({ path: join(prefix, key), reason: 'UNDECLARED_FIELD' });
  }
  for (const [key, spec] of Object.entries(schema.fields)) {
    const path = join(prefix, key);
    const field = record[key];
    if (field === undefined || field === null) {
      if (spec.required ?? true) findings.push({ path, reason: 'MISSING_FIELD' });
      continue;
    }
    screenField(spec, field, path, findings);
  }
  for (const [key, list] of Object.entries(lists)) {
    const path = join(prefix, key);
    const items = record[key];
    if (items === undefined) continue;
    if (!Array.isArray(items)) {
      findings.push({ path, reason: 'WRONG_KIND' });
      continue;
    }
    if (items.length > list.maxItems) findings.push({ path, reason: 'TOO_MANY_ITEMS' });
    items.slice(0, list.maxItems).forEach((item, index) => {
      screenRecord(list.item, item, `${path}[${index}]`, findings);
    });
  }
}

function screenField(spec: ToolFieldSpec, field: unknown, path: string, findings: ToolOutputFinding[]): void {
  // Amounts must arrive as decimal strings; a JSON number would already have passed through a float.
  const text =
    spec.kind === 'integer' && typeof field === 'number' && Number.isSafeInteger(field)
      ? String(field)
      : field;
  if (typeof text !== 'string') {
    findings.push({ path, reason: 'WRONG_KIND' });
    return;
  }
  const limit = spec.maxLength ?? (spec.kind === 'text' ? DEFAULT_TEXT_LENGTH : DEFAULT_FIELD_LENGTH);
  if (text.length > limit) {
    findings.push({ path, reason: 'OVERSIZE' });
    return;
  }
  if (spec.kind === 'text') {
    if (INSTRUCTION_LIKE.test(text)) findings.push({ path, reason: 'INSTRUCTION_LIKE' });
    return;
  }
  if (!PATTERNS[spec.kind].test(text.trim())) {
    findings.push({ path, reason: /[a-z]{3,}\s+[a-z]{3,}/i.test(text) ? 'INSTRUCTION_LIKE' : 'WRONG_KIND' });
  }
}

function join(prefix: string, key: string): string {
  return prefix === '' ? key : `${prefix}.${key}`;
}
