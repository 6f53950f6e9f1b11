/**
 * The auditor's standard questions as SQL that runs unchanged on Athena (Glue table over
 * `records/`, partition projection on `type` and `dt`) and on DuckDB over the same files.
 * Column names are lower case because Glue lower-cases them; `?` parameters bind in both.
 */
export const EVIDENCE_TABLE = 'evidence_records';

/** Which date `from`/`to` bound: the date the record was filed (the run's), or the invoice's own date. */
export type DateBasis = 'record' | 'invoice';
export const DATE_BASES: readonly DateBasis[] = ['record', 'invoice'];

export interface AuditorQuery {
  readonly name: string;
  readonly question: string;
  /** The query with the period on the record date (the Athena named query). */
  readonly sql: string;
  /**
   * The same query with the period on the invoice date (`business.invoicedate`); absent where
   * the records carry no invoice date (bank statements, write-offs), and `--date-by invoice` is refused.
   */
  readonly byInvoiceDateSql?: string;
  /** Parameter names in `?` order. */
  readonly parameters: readonly ('from' | 'to' | 'minAmount')[];
  /** Output column whose row counts the manifest reports (besides totals). */
  readonly countBy?: string;
}

const BUSINESS_COLUMNS = `business.vendorid AS vendor_id, business.vendorname AS vendor_name,
  business.invoicenumber AS invoice_number, business.invoicedate AS invoice_date,
  business.amount AS amount, business.currency AS currency`;

const RECORD_PERIOD = (alias: string) => `${alias}dt BETWEEN ? AND ?`;
const INVOICE_PERIOD = (alias: string) => `${alias}business.invoicedate BETWEEN ? AND ?`;
type Period = (alias: string) => string;

const apMatchesSql = (
  period: Period,
) => `SELECT recordid AS record_id, dt AS record_date, "timestamp" AS recorded_at,
  executionid AS execution_id, runbookversion AS runbook_version, ${BUSINESS_COLUMNS},
  business.decision AS decision, array_join(business.reasoncodes, ';') AS reason_codes,
  actor.kind AS actor_kind, actor.id AS actor_id
FROM ${EVIDENCE_TABLE}
WHERE type = 'decision' AND runbook = 'invoice-reconciliation'
  AND ${period('')}
  AND CAST(business.amount AS DECIMAL(38, 6)) > CAST(? AS DECIMAL(38, 6))
ORDER BY dt, recordid`;

const escalationsSql = (
  period: Period,
) => `SELECT e.recordid AS escalation_record_id, e.dt AS escalated_on, e."timestamp" AS escalated_at,
  e.executionid AS execution_id, e.runbook AS runbook, e.runbookversion AS runbook_version,
  e.business.vendorid AS vendor_id, e.business.vendorname AS vendor_name,
  e.business.invoicenumber AS invoice_number, e.business.invoicedate AS invoice_date,
  e.business.amount AS amount, e.business.currency AS currency,
  array_join(e.business.reasoncodes, ';') AS reason_codes,
  a.actor.id AS decided_by, a.actor.role AS decider_role, a.business.decision AS decision,
  a."timestamp" AS decided_at
FROM ${EVIDENCE_TABLE} e
LEFT JOIN ${EVIDENCE_TABLE} a
  ON a.type = 'approval' AND a.dt >= ? AND a.executionid = e.executionid AND a.actor.kind = 'person'
WHERE e.type = 'escalation' AND ${period('e.')}
ORDER BY e.dt, e.recordid, a.recordid`;

/**
 * Changes agents made, and changes made to agents and runbooks: each agent action or config
 * change, each promotion signed off and each demotion (the agent's trust chain, runbook `trust`),
 * and each runbook version put live in a stage by an approved change (its release chain), with
 * the person who approved it.
 */
const agentChangesSql = (
  period: Period,
) => `SELECT runbook, runbookversion AS runbook_version, recordid AS record_id, dt AS record_date,
  "timestamp" AS recorded_at, executionid AS execution_id, recordtype AS record_type, eventkey AS event_key,
  CASE
    WHEN actor.kind = 'agent' THEN 'agent_action'
    WHEN business.decision = 'PROMOTION_APPLIED' THEN 'promotion'
    WHEN business.decision = 'DEMOTED' THEN 'demotion'
    ELSE 'runbook_version_change'
  END AS change_kind,
  CASE WHEN actor.kind = 'agent' THEN actor.id
    WHEN executionid LIKE 'agent-%' THEN substr(executionid, 7) END AS agent_id,
  CASE WHEN actor.kind = 'agent' THEN actor.role END AS agent_role,
  CASE WHEN business.decision = 'RUNBOOK_VERSION_LIVE' THEN split_part(eventkey, '/', 2) END AS stage,
  CASE WHEN actor.kind = 'person' THEN actor.id END AS approver_id,
  CASE WHEN actor.kind = 'person' THEN actor.role END AS approver_role,
  ${BUSINESS_COLUMNS}, business.decision AS decision
FROM ${EVIDENCE_TABLE}
WHERE ((type IN ('action', 'config_change') AND actor.kind = 'agent')
    OR (type = 'config_change' AND business.decision IN ('PROMOTION_APPLIED', 'DEMOTED', 'RUNBOOK_VERSION_LIVE')))
  AND ${period('')}
ORDER BY runbook, runbookversion, dt, recordid`;

/**
 * Money the bank shows leaving with no approved invoice behind it: statement debits no payment
 * explains (or that differ from it, or repeat it), and payments matched on a statement whose
 * invoice has no hold after approval in the invoice runbook's evidence.
 */
const paymentsWithoutInvoiceSql = (
  period: Period,
) => `SELECT d.recordid AS record_id, d.dt AS record_date, d."timestamp" AS recorded_at,
  d.executionid AS execution_id, d.eventkey AS event_key, d.business.vendorid AS vendor_id,
  d.business.vendorname AS vendor_name, d.business.invoicenumber AS invoice_number,
  d.business.amount AS amount, d.business.currency AS currency,
  array_join(d.business.reasoncodes, ';') AS finding
FROM ${EVIDENCE_TABLE} d
WHERE d.type = 'decision' AND d.runbook = 'bank-reconciliation' AND d.business.decision = 'EXCEPTION'
  AND (array_join(d.business.reasoncodes, ';') LIKE '%UNMATCHED_DEBIT%'
    OR array_join(d.business.reasoncodes, ';') LIKE '%DEBIT_AMOUNT_MISMATCH%'
    OR array_join(d.business.reasoncodes, ';') LIKE '%DUPLICATE_DEBIT%')
  AND ${period('d.')}
UNION ALL
SELECT d.recordid, d.dt, d."timestamp", d.executionid, d.eventkey, d.business.vendorid,
  d.business.vendorname, d.business.invoicenumber, d.business.amount, d.business.currency,
  'NO_APPROVED_INVOICE'
FROM ${EVIDENCE_TABLE} d
LEFT JOIN ${EVIDENCE_TABLE} h
  ON h.type = 'action'
  AND ((h.runbook = 'invoice-reconciliation' AND h.eventkey = 'HoldPayment/action')
    OR (h.runbook = 'refund-payout' AND h.eventkey = 'Hold/action'))
  AND h.business.vendorid = d.business.vendorid AND h.business.invoicenumber = d.business.invoicenumber
WHERE d.type = 'decision' AND d.runbook = 'bank-reconciliation' AND d.business.decision = 'MATCHED'
  AND d.business.vendorid IS NOT NULL AND h.recordid IS NULL AND ${period('d.')}
ORDER BY record_date, record_id`;

/** Receivables written off: who decided (the agent within its pact, or a person), how much, on which invoice. */
const writeOffsSql = (
  period: Period,
) => `SELECT actor.kind AS approver_kind, actor.id AS approver_id, actor.role AS approver_role,
  recordid AS record_id, dt AS record_date, "timestamp" AS recorded_at, executionid AS execution_id,
  runbookversion AS runbook_version, business.invoicenumber AS invoice_number,
  business.amount AS amount, business.currency AS currency,
  array_join(business.reasoncodes, ';') AS reason_codes
FROM ${EVIDENCE_TABLE}
WHERE type = 'action' AND runbook = 'bank-reconciliation' AND business.decision = 'WRITTEN_OFF'
  AND ${period('')}
ORDER BY actor.id, dt, recordid`;

/** Each applied (or superseded) vendor bank-detail change, with who verified it by call-back and who approved it. */
const bankChangesSql = (
  period: Period,
) => `SELECT c.executionid AS execution_id, c.business.vendorid AS vendor_id, c.business.vendorname AS vendor_name,
  c.business.decision AS outcome, c.dt AS record_date, c."timestamp" AS changed_at,
  v.actor.id AS verifier_id, v.actor.role AS verifier_role, v."timestamp" AS verified_at,
  c.actor.id AS approver_id, c.actor.role AS approver_role,
  c.recordid AS record_id, c.runbookversion AS runbook_version
FROM ${EVIDENCE_TABLE} c
LEFT JOIN ${EVIDENCE_TABLE} v
  ON v.type = 'approval' AND v.runbook = 'vendor-bank-change' AND v.executionid = c.executionid
  AND v.eventkey = 'Approval/1/decision' AND v.actor.kind = 'person'
WHERE c.type = 'action' AND c.runbook = 'vendor-bank-change' AND c.eventkey = 'ApplyChange/action'
  AND ${period('c.')}
ORDER BY c.dt, c.executionid`;

export const AUDITOR_QUERIES: readonly AuditorQuery[] = [
  {
    name: 'ap-matches-over-amount',
    question: 'All AP match decisions of the invoice runbook over an amount, in a period.',
    parameters: ['from', 'to', 'minAmount'],
    sql: apMatchesSql(RECORD_PERIOD),
    byInvoiceDateSql: apMatchesSql(INVOICE_PERIOD),
  },
  {
    name: 'escalations-with-decider',
    question: 'All exceptions escalated to a person, with who decided them and how.',
    parameters: ['from', 'from', 'to'],
    sql: escalationsSql(RECORD_PERIOD),
    byInvoiceDateSql: escalationsSql(INVOICE_PERIOD),
  },
  {
    name: 'agent-changes-by-runbook-version',
    question:
      'All changes agents initiated, and every promotion, demotion and runbook version put live with who approved it, by runbook version.',
    parameters: ['from', 'to'],
    countBy: 'runbook_version',
    sql: agentChangesSql(RECORD_PERIOD),
    byInvoiceDateSql: agentChangesSql(INVOICE_PERIOD),
  },
  {
    name: 'payments-without-approved-invoice',
    question:
      'Money the bank statements show leaving with no approved invoice (or refund or payout) behind it: unexplained debits, and payments whose invoice was never held after approval.',
    parameters: ['from', 'to', 'from', 'to'],
    countBy: 'finding',
    sql: paymentsWithoutInvoiceSql(RECORD_PERIOD),
  },
  {
    name: 'write-offs-by-approver',
    question: 'Receivables written off, by who decided each one (agent within its pact, or person).',
    parameters: ['from', 'to'],
    countBy: 'approver_id',
    sql: writeOffsSql(RECORD_PERIOD),
  },
  {
    name: 'bank-detail-changes',
    question: 'Vendor bank-detail changes applied, with who verified each by call-back and who approved it.',
    parameters: ['from', 'to'],
    countBy: 'vendor_id',
    sql: bankChangesSql(RECORD_PERIOD),
  },
];

export function auditorQuery(name: string): AuditorQuery | undefined {
  return AUDITOR_QUERIES.find((q) => q.name === name);
}

/** The Glue/DuckDB columns of a record (partition columns `type` and `dt` come from the key). */
export const EVIDENCE_COLUMNS: readonly {
  readonly name: string;
  readonly glue: string;
  readonly duckdb: string;
}[] = [
  { name: 'schemaVersion', glue: 'int', duckdb: 'INTEGER' },
  { name: 'recordId', glue: 'string', duckdb: 'VARCHAR' },
  { name: 'recordType', glue: 'string', duckdb: 'VARCHAR' },
  { name: 'runbook', glue: 'string', duckdb: 'VARCHAR' },
  { name: 'runbookVersion', glue: 'string', duckdb: 'VARCHAR' },
  { name: 'executionId', glue: 'string', duckdb: 'VARCHAR' },
  { name: 'eventKey', glue: 'string', duckdb: 'VARCHAR' },
  { name: 'sequence', glue: 'bigint', duckdb: 'BIGINT' },
  {
    name: 'actor',
    glue: 'struct<kind:string,id:string,role:string>',
    duckdb: 'STRUCT(kind VARCHAR, id VARCHAR, role VARCHAR)',
  },
  { name: 'timestamp', glue: 'string', duckdb: 'VARCHAR' },
  {
    name: 'business',
    glue: 'struct<vendorid:string,vendorname:string,invoicenumber:string,invoicedate:string,amount:string,currency:string,decision:string,reasoncodes:array<string>>',
    duckdb:
      'STRUCT(vendorId VARCHAR, vendorName VARCHAR, invoiceNumber VARCHAR, invoiceDate VARCHAR, amount VARCHAR, currency VARCHAR, decision VARCHAR, reasonCodes VARCHAR[])',
  },
  { name: 'contentHash', glue: 'string', duckdb: 'VARCHAR' },
  { name: 'prevHash', glue: 'string', duckdb: 'VARCHAR' },
  { name: 'hash', glue: 'string', duckdb: 'VARCHAR' },
];
