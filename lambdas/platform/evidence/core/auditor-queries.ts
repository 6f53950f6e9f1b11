/**
 * The auditor's standard questions as SQL that runs unchanged on Athena (Glue table over
 * `records/`, partition projection on `type` and `dt`) and on DuckDB over the same files.
 * Column names are lower case because Glue lower-cases them; `?` parameters bind in both.
 */
export const EVIDENCE_TABLE = 'evidence_records';

export interface AuditorQuery {
  readonly name: string;
  readonly question: string;
  readonly sql: string;
  /** Parameter names in `?` order. */
  readonly parameters: readonly ('from' | 'to' | 'minAmount')[];
  /** Output column whose row counts the manifest reports (besides totals). */
  readonly countBy?: string;
}

const BUSINESS_COLUMNS = `business.vendorid AS vendor_id, business.vendorname AS vendor_name,
  business.invoicenumber AS invoice_number, business.amount AS amount, business.currency AS currency`;

export const AUDITOR_QUERIES: readonly AuditorQuery[] = [
  {
    name: 'ap-matches-over-amount',
    question: 'All AP match decisions of the invoice runbook over an amount, in a period.',
    parameters: ['from', 'to', 'minAmount'],
    sql: `SELECT recordid AS record_id, dt AS business_date, "timestamp" AS recorded_at,
  executionid AS execution_id, runbookversion AS runbook_version, ${BUSINESS_COLUMNS},
  business.decision AS decision, array_join(business.reasoncodes, ';') AS reason_codes,
  actor.kind AS actor_kind, actor.id AS actor_id
FROM ${EVIDENCE_TABLE}
WHERE type = 'decision' AND runbook = 'invoice-reconciliation'
  AND dt BETWEEN ? AND ?
  AND CAST(business.amount AS DECIMAL(38, 6)) > CAST(? AS DECIMAL(38, 6))
ORDER BY dt, recordid`,
  },
  {
    name: 'escalations-with-decider',
    question: 'All exceptions escalated to a person, with who decided them and how.',
    parameters: ['from', 'from', 'to'],
    sql: `SELECT e.recordid AS escalation_record_id, e.dt AS escalated_on, e."timestamp" AS escalated_at,
  e.executionid AS execution_id, e.runbook AS runbook, e.runbookversion AS runbook_version,
  e.business.vendorid AS vendor_id, e.business.vendorname AS vendor_name,
  e.business.invoicenumber AS invoice_number, e.business.amount AS amount, e.business.currency AS currency,
  array_join(e.business.reasoncodes, ';') AS reason_codes,
  a.actor.id AS decided_by, a.actor.role AS decider_role, a.business.decision AS decision,
  a."timestamp" AS decided_at
FROM ${EVIDENCE_TABLE} e
LEFT JOIN ${EVIDENCE_TABLE} a
  ON a.type = 'approval' AND a.dt >= ? AND a.executionid = e.executionid AND a.actor.kind = 'person'
WHERE e.type = 'escalation' AND e.dt BETWEEN ? AND ?
ORDER BY e.dt, e.recordid, a.recordid`,
  },
  {
    name: 'agent-changes-by-runbook-version',
    question: 'All changes agents initiated, by runbook version.',
    parameters: ['from', 'to'],
    countBy: 'runbook_version',
    sql: `SELECT runbook, runbookversion AS runbook_version, recordid AS record_id, dt AS business_date,
  "timestamp" AS recorded_at, executionid AS execution_id, recordtype AS record_type, eventkey AS event_key,
  actor.id AS agent_id, actor.role AS agent_role, ${BUSINESS_COLUMNS}, business.decision AS decision
FROM ${EVIDENCE_TABLE}
WHERE type IN ('action', 'config_change') AND actor.kind = 'agent' AND dt BETWEEN ? AND ?
ORDER BY runbook, runbookversion, dt, recordid`,
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
    glue: 'struct<vendorid:string,vendorname:string,invoicenumber:string,amount:string,currency:string,decision:string,reasoncodes:array<string>>',
    duckdb:
      'STRUCT(vendorId VARCHAR, vendorName VARCHAR, invoiceNumber VARCHAR, amount VARCHAR, currency VARCHAR, decision VARCHAR, reasonCodes VARCHAR[])',
  },
  { name: 'contentHash', glue: 'string', duckdb: 'VARCHAR' },
  { name: 'prevHash', glue: 'string', duckdb: 'VARCHAR' },
  { name: 'hash', glue: 'string', duckdb: 'VARCHAR' },
];
