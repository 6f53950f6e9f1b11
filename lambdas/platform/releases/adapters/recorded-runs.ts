import { TollgateError } from '#platform/core/errors.ts';
import { sha256Hex } from '#platform/core/hashing.ts';
import type { EvidenceStore } from '#platform/evidence/core/ports.ts';
import { type EvidenceRecord, RECORDS_PREFIX, recordHash } from '#platform/evidence/core/records.ts';
import {
  INVOICE_FIELDS,
  type Invoice,
  invoiceSchema,
} from '#runbooks/invoice-reconciliation/core/invoice.ts';
import type { RecordedRun } from '../core/policy-replay.ts';

const RUNBOOK = 'invoice-reconciliation';
const DECISION_EVENT = 'DecideByTrustGate/decision';
const MATCH_EVENT = 'MatchToPurchaseOrder/rule_result';
const EXTRACT_EVENT = 'ExtractInvoice/model_call';
const SUBMIT_EVENT = 'Submit/invoice_received';

const dtOf = (key: string) => /\/dt=(\d{4}-\d{2}-\d{2})\//.exec(key)?.[1];
/** The 12 hex characters of the execution's hash in a record id (`<time>-<exec12>-<seq>`). */
const execTagOf = (key: string) => /-([0-9a-f]{12})-\d{6}\.json$/.exec(key)?.[1];

async function readRecord(store: EvidenceStore, key: string): Promise<EvidenceRecord> {
  const stored = await store.get(key);
  if (!stored) throw new TollgateError('NOT_FOUND', `Evidence record ${key} is listed but cannot be read.`);
  const record = JSON.parse(new TextDecoder().decode(stored.body)) as EvidenceRecord;
  if (recordHash(record) !== record.hash) {
    throw new TollgateError(
      'CONFLICT',
      `Evidence record ${key} does not match its own hash; run \`tollgate evidence verify\` before replaying.`,
    );
  }
  return record;
}

export interface RecordedRunsResult {
  readonly runs: RecordedRun[];
  /** Decisions in the period whose run lacks a record replay needs, with which. */
  readonly incomplete: { readonly executionId: string; readonly missing: string }[];
}

/**
 * The invoice runs decided in [from, to] (record date of the decision, YYYY-MM-DD), each with
 * the records replay reads: the decision, the match, and the invoice (extraction's answer, or
 * the structured document as submitted, checked against its SHA-256). Every record read is
 * checked against its own hash.
 */
export async function loadRecordedRuns(
  store: EvidenceStore,
  period: { readonly from: string; readonly to: string },
  perEntity: boolean,
): Promise<RecordedRunsResult> {
  const inPeriod = (key: string) => {
    const dt = dtOf(key);
    return dt !== undefined && dt >= period.from && dt <= period.to;
  };
  const upTo = (key: string) => {
    const dt = dtOf(key);
    return dt !== undefined && dt <= period.to;
  };
  const decisions: EvidenceRecord[] = [];
  for (const object of await store.list(`${RECORDS_PREFIX}type=decision/`)) {
    if (!inPeriod(object.key)) continue;
    const record = await readRecord(store, object.key);
    if (record.runbook === RUNBOOK && record.eventKey === DECISION_EVENT) decisions.push(record);
  }
  const tags = new Set(decisions.map((d) => sha256Hex(d.executionId).slice(0, 12)));
  // A run's earlier records may be filed a day (or more) before its decision.
  const related = async (type: string) => {
    const records: EvidenceRecord[] = [];
    for (const object of await store.list(`${RECORDS_PREFIX}type=${type}/`)) {
      const tag = execTagOf(object.key);
      if (!upTo(object.key) || tag === undefined || !tags.has(tag)) continue;
      records.push(await readRecord(store, object.key));
    }
    return records;
  };
  const [rules, calls, actions] = await Promise.all([
    related('rule_result'),
    related('model_call'),
    related('action'),
  ]);
  const find = (records: readonly EvidenceRecord[], executionId: string, eventKey: string) =>
    records.find((r) => r.executionId === executionId && r.eventKey === eventKey);

  const runs: RecordedRun[] = [];
  const incomplete: RecordedRunsResult['incomplete'] = [];
  for (const decision of decisions) {
    const { executionId } = decision;
    const match = find(rules, executionId, MATCH_EVENT);
    const submit = find(actions, executionId, SUBMIT_EVENT);
    if (!match || !submit) {
      incomplete.push({ executionId, missing: !match ? MATCH_EVENT : SUBMIT_EVENT });
      continue;
    }
    const invoice = await recordedInvoice(store, submit, find(calls, executionId, EXTRACT_EVENT));
    if (typeof invoice === 'string') {
      incomplete.push({ executionId, missing: invoice });
      continue;
    }
    runs.push({
      executionId,
      runbookVersion: decision.runbookVersion,
      invoice,
      entity: (submit.details.entity as string | null | undefined) ?? null,
      perEntity,
      match,
      decision,
    });
  }
  return { runs, incomplete };
}

/** The invoice the rules saw, or what is missing to know it. */
async function recordedInvoice(
  store: EvidenceStore,
  submit: EvidenceRecord,
  extract: EvidenceRecord | undefined,
): Promise<Invoice | string> {
  if (submit.details.format !== 'structured') {
    const extracted = invoiceSchema.safeParse(extract?.details.extractedInvoice);
    return extracted.success ? extracted.data : `${EXTRACT_EVENT} with the extracted invoice`;
  }
  const reference = submit.payloads.find((p) => p.name === 'invoice-document');
  const payload = reference ? await store.get(reference.key) : undefined;
  if (!reference || !payload || sha256Hex(payload.body) !== reference.sha256)
    return 'the submitted document, matching its SHA-256';
  try {
    const parsed = invoiceSchema.parse(JSON.parse(new TextDecoder().decode(payload.body)));
    // As the extract step takes a structured invoice: every field read with full confidence.
    return { ...parsed, confidence: Object.fromEntries(INVOICE_FIELDS.map((field) => [field, 1])) };
  } catch {
    return 'a structured document in the invoice schema';
  }
}
