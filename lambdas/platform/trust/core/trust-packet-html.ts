import type { EvidencePointer } from './standing.ts';
import type { TrustPacket } from './trust-packet.ts';

/**
 * The trust packet as one self-contained HTML page (no script, no external resource), beside the
 * Markdown one: the same sections and the same evidence pointers. Every value is escaped: names,
 * reasons and justifications are typed by people and must never become markup.
 */
const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

const bp = (value: number | null) =>
  value === null ? 'n/a (under 10 fresh outcomes)' : `${(value / 100).toFixed(2)}%`;

const where = (pointer: EvidencePointer | null | undefined) =>
  pointer ? `<code>${escapeHtml(pointer.executionId)} › ${escapeHtml(pointer.eventKey)}</code>` : '—';

function table(headers: readonly string[], rows: readonly (readonly string[])[], empty: string): string {
  if (rows.length === 0) return `<p>${escapeHtml(empty)}</p>`;
  return [
    '<table>',
    `<thead><tr>${headers.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('')}</tr></thead>`,
    '<tbody>',
    ...rows.map((cells) => `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`),
    '</tbody>',
    '</table>',
  ].join('\n');
}

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}code{font-size:.85em;word-break:break-all}dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:600}`;

export function trustPacketHtml(packet: TrustPacket): string {
  const f = packet.figures;
  const e = escapeHtml;
  const body = [
    `<h1>Trust packet: ${e(packet.displayName)} (<code>${e(packet.agentId)}</code>)</h1>`,
    `<p>Generated ${e(packet.generatedAt)}; trust rules version <code>${e(packet.trustRulesVersion.slice(0, 12))}</code>. Each evidence pointer (chain › event key) can be checked with <code>tollgate evidence verify</code>.</p>`,
    '<h2>Standing</h2>',
    '<dl>',
    `<dt>Tier</dt><dd><strong>${e(packet.standing.tier)}</strong>${packet.standing.suspended ? ' (suspended)' : ''}</dd>`,
    `<dt>Score</dt><dd><strong>${e(f.score)}</strong> / 1000 (Wilson lower bound, 30-day half-life)</dd>`,
    `<dt>Fresh outcomes (30 days)</dt><dd>${e(f.freshOutcomes)}; open incidents: ${e(f.openIncidents)}</dd>`,
    `<dt>Override rate</dt><dd>${e(bp(f.overrideRateBp))}</dd>`,
    `<dt>Dispute rate</dt><dd>${e(bp(f.disputeRateBp))}</dd>`,
    `<dt>Shadow agreement</dt><dd>${e(f.shadowAgreement.agreed)} of ${e(f.shadowAgreement.compared)} compared</dd>`,
    `<dt>Open escrow</dt><dd>${e(packet.openEscrow.holds)} holds${packet.openEscrow.amounts.map((a) => `, ${e(a.amount)} ${e(a.currency)}`).join('')}</dd>`,
    '</dl>',
    '<h2>Pacts</h2>',
    table(
      ['Action', 'Per action', 'Daily', 'Auto-approve now', 'Max override rate'],
      packet.pacts.map((p) => [
        e(p.action),
        `${e(p.perActionLimit.amount)} ${e(p.perActionLimit.currency)}`,
        `${e(p.dailyLimit.amount)} ${e(p.dailyLimit.currency)}`,
        `${e(p.autoApproveLimit.amount)} ${e(p.autoApproveLimit.currency)}`,
        e(bp(p.maxOverrideRateBp)),
      ]),
      'No pacts.',
    ),
    '<h2>Score over time</h2>',
    table(
      ['When', 'Score'],
      packet.scoreOverTime.map((p) => [e(p.at), e(p.score)]),
      'No outcomes yet.',
    ),
    '<h2>Outcomes by kind</h2>',
    table(
      ['Kind', 'Count'],
      Object.entries(f.outcomesByKind).map(([kind, count]) => [e(kind), e(count)]),
      'No outcomes yet.',
    ),
    '<h2>Tier history</h2>',
    table(
      ['When', 'From', 'To', 'How', 'Reason', 'Proposed by', 'Signed off by', 'Evidence'],
      packet.tierHistory.map((t) => [
        e(t.at),
        e(t.from),
        e(t.to),
        e(t.how),
        e(t.reason),
        e(t.proposedBy),
        t.signedOffBy ? `${e(t.signedOffBy.by)} (${e(t.signedOffBy.role)})` : '—',
        where(t.evidence),
      ]),
      'No tier changes.',
    ),
    '<h2>Promotions</h2>',
    table(
      ['Promotion', 'Status', 'Change', 'Proposed', 'Justification', 'Decided by', 'Evidence'],
      packet.promotions.map((p) => [
        `<code>${e(p.promotionId)}</code>`,
        e(p.status),
        `${e(p.fromTier)} → <code>${e(JSON.stringify(p.change))}</code>`,
        `${e(p.proposedBy)} at ${e(p.proposedAt)}`,
        e(p.justification),
        p.signOff ? `${e(p.signOff.by)} (${e(p.signOff.role)})` : '—',
        p.evidence.map(where).join('<br>'),
      ]),
      'No promotions.',
    ),
    '<h2>Outcomes</h2>',
    table(
      ['When', 'Kind', 'Action', 'Run', 'Decided by', 'Reason', 'Shadow', 'Evidence'],
      packet.outcomes.map((o) => [
        e(o.at),
        e(o.kind),
        e(o.action),
        o.executionId ? `<code>${e(o.executionId)}</code>` : '',
        e(o.recordedBy),
        e(o.reason),
        o.shadow ? `would ${e(o.shadow.agentWouldHave)}, agreed: ${e(o.shadow.agreed)}` : '',
        where(o.evidence),
      ]),
      'No outcomes yet.',
    ),
  ];
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    // Nothing loads from anywhere: the page is a document to keep, not an app.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<title>Trust packet: ${e(packet.displayName)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    ...body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
