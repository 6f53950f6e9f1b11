import { useState } from 'preact/hooks';
import { ApiError, api, type Json, type Session } from '../api.ts';
import { money, percent, when } from '../format.ts';
import { useLoad } from '../use-load.ts';
import { type Approval, reasonCodesOf } from './inbox.tsx';

interface Check {
  readonly code: string;
  readonly passed: boolean;
  readonly detail: string;
  readonly effect?: string;
  readonly lineNo?: number;
}
interface InvoiceLine {
  readonly lineNo: number;
  readonly sku?: string;
  readonly description?: string;
  readonly quantity?: string;
  readonly unitPrice?: string;
  readonly amount?: string;
}
interface Permission {
  readonly allowed: boolean;
  readonly code: string | null;
  readonly message: string | null;
}
interface CaseResponse {
  readonly approval: Approval & {
    status: string;
    decision?: string;
    comment?: string;
    decidedBy?: { username: string; role: string };
    decidedAt?: string;
    agentId: string;
    action?: string;
    proposal?: {
      decision?: { reasons?: { code: string; detail: string }[] };
      invoice?: Record<string, Json>;
      coding?: Json[];
    };
  };
  readonly case: Record<string, Json> | null;
  readonly document: {
    contentType: string;
    sha256: string;
    size: number;
    text: string | null;
    truncated: boolean;
  } | null;
  readonly timeline: {
    sequence: number;
    recordType: string;
    eventKey: string;
    timestamp: string;
    actor: { kind: string; id: string; role?: string };
    hash: string;
    prevHash: string;
    payloads: { name: string; sha256: string }[];
  }[];
  readonly mayDecide: { approve: Permission; reject: Permission };
}

const FIELDS: readonly [string, string][] = [
  ['vendorName', 'Vendor'],
  ['vendorTaxId', 'Vendor tax id'],
  ['invoiceNumber', 'Invoice number'],
  ['invoiceDate', 'Invoice date'],
  ['dueDate', 'Due date'],
  ['poNumber', 'PO number'],
  ['currency', 'Currency'],
  ['subtotal', 'Subtotal'],
  ['tax', 'Tax'],
  ['total', 'Total'],
  ['remitTo', 'Remit to'],
];

function show(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'object')
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k} ${v ?? '—'}`)
      .join(', ');
  return String(value);
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function CheckMark({ check }: { check: Check }) {
  return check.passed ? <span class="pass">Passed</span> : <strong class="fail">Failed</strong>;
}

/** One case: what the agent read, what the rules found, who may decide, and the evidence behind it. */
export function CasePage({ approvalId, session }: { approvalId: string; session: Session }) {
  const found = useLoad(
    `case:${approvalId}`,
    async () => (await api('GET', `/approvals/${encodeURIComponent(approvalId)}`)) as CaseResponse,
  );
  const agentId = found.data?.approval.agentId;
  const controls = useLoad(`controls:${agentId ?? ''}`, async () =>
    agentId ? await api('GET', `/agents/${encodeURIComponent(agentId)}/controls`) : null,
  );
  const [comment, setComment] = useState('');
  const [result, setResult] = useState<{ ok: boolean; text: string }>();
  const [busy, setBusy] = useState(false);

  if (found.error)
    return (
      <section>
        <h1 tabIndex={-1}>Case</h1>
        <p role="alert">
          {found.error instanceof ApiError && found.error.status === 404
            ? `${found.error.message}`
            : found.error.message}
        </p>
        <p>
          <a href="#/inbox">Back to the inbox</a>
        </p>
      </section>
    );
  const data = found.data;
  if (!data)
    return (
      <section>
        <h1 tabIndex={-1}>Case</h1>
        <p role="status">Loading…</p>
      </section>
    );

  const { approval, mayDecide } = data;
  const found_ = data.case ?? {};
  const invoice: Record<string, Json> = found_.invoice ?? approval.proposal?.invoice ?? {};
  const confidence: Record<string, number> = invoice.confidence ?? {};
  const checks: Check[] = found_.match?.results ?? [];
  const lines: InvoiceLine[] = invoice.lines ?? [];
  const poLineOf = (lineNo: number) =>
    (found_.match?.lines ?? []).find((l: { invoiceLineNo: number }) => l.invoiceLineNo === lineNo);
  const coding: { lineNo: number; glAccount: string; costCenter?: string; rationale?: string }[] =
    found_.coding ?? approval.proposal?.coding ?? [];
  const reasons: { code: string; text: string }[] =
    found_.reasons ??
    (approval.proposal?.decision?.reasons ?? []).map((r) => ({ code: r.code, text: r.detail }));
  const title =
    `${approval.business.vendorName ?? approval.runbook} ${approval.business.invoiceNumber ?? ''}`.trim();
  const offered = mayDecide.approve.allowed || mayDecide.reject.allowed;

  const decide = async (decision: 'APPROVE' | 'REJECT') => {
    if (comment.trim().length < 3) {
      setResult({ ok: false, text: 'Write a comment saying why (at least 3 characters).' });
      document.getElementById('comment')?.focus();
      return;
    }
    setBusy(true);
    try {
      const decided = await api('POST', `/approvals/${encodeURIComponent(approvalId)}/decision`, {
        decision,
        comment: comment.trim(),
      });
      setResult({
        ok: true,
        text: `${decided.decision === 'APPROVE' ? 'Approved' : 'Rejected'} by ${decided.decidedBy?.username ?? session.username}. The run goes on.`,
      });
      setComment('');
      found.reload();
    } catch (e) {
      setResult({ ok: false, text: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <article>
      <p>
        <a href="#/inbox">← Inbox</a>
      </p>
      <h1 tabIndex={-1}>{title}</h1>
      <dl class="summary">
        <dt>Amount</dt>
        <dd>{money(approval.amount, approval.currency)}</dd>
        <dt>Status</dt>
        <dd>{approval.status === 'PENDING' ? 'Waiting for a decision' : approval.status}</dd>
        <dt>Needs</dt>
        <dd>{approval.requiredRole}</dd>
        <dt>Requested by</dt>
        <dd>{approval.requestedBy.username}</dd>
        <dt>Deadline</dt>
        <dd>{when(approval.deadline)}</dd>
        <dt>Run</dt>
        <dd>
          <code>{approval.executionId}</code>
        </dd>
      </dl>

      <section aria-labelledby="decide-heading" class="decide">
        <h2 id="decide-heading">Decision</h2>
        {approval.status !== 'PENDING' ? (
          <p>
            {approval.decision === 'APPROVE'
              ? 'Approved'
              : approval.decision === 'REJECT'
                ? 'Rejected'
                : approval.status}
            {approval.decidedBy ? ` by ${approval.decidedBy.username} (${approval.decidedBy.role})` : ''}
            {approval.decidedAt ? ` at ${when(approval.decidedAt)}` : ''}
            {approval.comment ? `: “${approval.comment}”` : ''}
          </p>
        ) : offered ? (
          <form onSubmit={(e) => e.preventDefault()}>
            <label for="comment">Comment (required)</label>
            <textarea
              id="comment"
              rows={3}
              required
              minLength={3}
              maxLength={2000}
              value={comment}
              onInput={(e) => setComment((e.target as HTMLTextAreaElement).value)}
            />
            <div class="actions">
              {mayDecide.approve.allowed && (
                <button type="button" class="primary" disabled={busy} onClick={() => decide('APPROVE')}>
                  Approve
                </button>
              )}
              {mayDecide.reject.allowed && (
                <button type="button" class="danger" disabled={busy} onClick={() => decide('REJECT')}>
                  Reject
                </button>
              )}
            </div>
            {!mayDecide.approve.allowed && mayDecide.approve.message && (
              <p>Approve is not offered: {mayDecide.approve.message}</p>
            )}
          </form>
        ) : (
          <p>You may not decide this case: {mayDecide.approve.message ?? mayDecide.reject.message}</p>
        )}
        <p role="status" aria-live="polite" class={result ? (result.ok ? 'ok' : 'err') : undefined}>
          {result?.text ?? ''}
        </p>
      </section>

      <section aria-labelledby="why-heading">
        <h2 id="why-heading">Why the agent stopped</h2>
        <ul>
          {reasons.map((r) => (
            <li key={r.code + r.text}>
              <span class="code">{r.code}</span>: {r.text}
            </li>
          ))}
          {reasons.length === 0 && reasonCodesOf(approval).map((code) => <li key={code}>{code}</li>)}
        </ul>
        <h3>Agent standing</h3>
        {controls.data ? (
          <p>
            <a href={`#/agent/${encodeURIComponent(controls.data.agentId)}`}>{controls.data.displayName}</a>:
            tier <strong>{controls.data.tier}</strong>, score {controls.data.score}
            {controls.data.suspended ? ', suspended' : ''}; auto-approves up to{' '}
            {(controls.data.pacts ?? [])
              .filter((p: Json) => p.action === approval.action || p.action === 'invoice.approve')
              .map((p: Json) => money(p.autoApproveLimit?.amount, p.autoApproveLimit?.currency))
              .join(', ') || '—'}
            .
          </p>
        ) : (
          <p>{controls.error ? controls.error.message : 'Loading…'}</p>
        )}
      </section>

      <section aria-labelledby="fields-heading">
        <h2 id="fields-heading">What the agent read</h2>
        <div class="side">
          <table>
            <caption>Extracted fields and confidence</caption>
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Value</th>
                <th scope="col">Confidence</th>
              </tr>
            </thead>
            <tbody>
              {FIELDS.map(([key, label]) => (
                <tr key={key}>
                  <th scope="row">{label}</th>
                  <td>{show(invoice[key])}</td>
                  <td
                    class={typeof confidence[key] === 'number' && confidence[key] < 0.8 ? 'low num' : 'num'}
                  >
                    {percent(confidence[key])}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div class="document">
            <h3>Document</h3>
            {data.document ? (
              <>
                <p class="small">
                  {data.document.contentType}, {data.document.size} bytes, SHA-256{' '}
                  <code>{data.document.sha256}</code>
                </p>
                {data.document.text !== null ? (
                  // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard.
                  <pre tabIndex={0}>
                    {data.document.contentType.startsWith('application/json')
                      ? prettyJson(data.document.text)
                      : data.document.text}
                  </pre>
                ) : (
                  <p>A PDF: its bytes are in the evidence store under the hash above.</p>
                )}
              </>
            ) : (
              <p>No document recorded.</p>
            )}
          </div>
        </div>
      </section>

      <section aria-labelledby="match-heading">
        <h2 id="match-heading">Match to PO and receipts</h2>
        <p>
          PO {found_.match?.purchaseOrder?.poNumber ?? '—'}
          {found_.match?.vendor
            ? `, vendor ${found_.match.vendor.vendorId} (${found_.match.vendor.name})`
            : ''}
        </p>
        <table>
          <caption>Invoice lines with their checks</caption>
          <thead>
            <tr>
              <th scope="col">Line</th>
              <th scope="col">Item</th>
              <th scope="col">Quantity</th>
              <th scope="col">Unit price</th>
              <th scope="col">Amount</th>
              <th scope="col">PO line</th>
              <th scope="col">Checks</th>
            </tr>
          </thead>
          <tbody>
            {lines.map((line) => {
              const lineChecks = checks.filter((c) => c.lineNo === line.lineNo);
              const failed = lineChecks.some((c) => !c.passed);
              return (
                <tr key={line.lineNo} class={failed ? 'failed' : undefined}>
                  <th scope="row">{line.lineNo}</th>
                  <td>
                    {line.sku} {line.description}
                  </td>
                  <td class="num">{line.quantity}</td>
                  <td class="num">{line.unitPrice}</td>
                  <td class="num">{line.amount}</td>
                  <td>{poLineOf(line.lineNo)?.poLineNo ?? 'none'}</td>
                  <td>
                    <ul class="checks">
                      {lineChecks.map((c) => (
                        <li key={c.code + c.detail}>
                          <CheckMark check={c} /> <span class="code">{c.code}</span>: {c.detail}
                        </li>
                      ))}
                    </ul>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <h3>Checks on the whole invoice</h3>
        <ul class="checks">
          {checks
            .filter((c) => c.lineNo === undefined)
            .map((c, i) => (
              <li key={`${c.code}-${i}`} class={c.passed ? undefined : 'failed'}>
                <CheckMark check={c} /> <span class="code">{c.code}</span>: {c.detail}
              </li>
            ))}
        </ul>
      </section>

      <section aria-labelledby="coding-heading">
        <h2 id="coding-heading">Proposed coding</h2>
        <table>
          <caption>GL coding per line</caption>
          <thead>
            <tr>
              <th scope="col">Line</th>
              <th scope="col">GL account</th>
              <th scope="col">Cost center</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {coding.map((c) => (
              <tr key={c.lineNo}>
                <th scope="row">{c.lineNo}</th>
                <td>{c.glAccount}</td>
                <td>{c.costCenter ?? '—'}</td>
                <td>{c.rationale ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section aria-labelledby="explain-heading">
        <h2 id="explain-heading">Explanation</h2>
        <p>
          {typeof found_.explanation === 'string' ? found_.explanation : 'Written when the run finishes.'}
        </p>
      </section>

      <section aria-labelledby="timeline-heading">
        <h2 id="timeline-heading">Timeline and evidence</h2>
        <ol class="timeline">
          {data.timeline.map((t) => (
            <li key={t.sequence}>
              <span class="when">{when(t.timestamp)}</span> <strong>{t.eventKey}</strong> ({t.recordType}) by{' '}
              {t.actor.kind} {t.actor.id}
              <br />
              <span class="small">
                hash <code>{t.hash}</code>
                {t.payloads.map((p) => (
                  <span key={p.sha256}>
                    ; {p.name} <code>{p.sha256}</code>
                  </span>
                ))}
              </span>
            </li>
          ))}
        </ol>
      </section>
    </article>
  );
}
