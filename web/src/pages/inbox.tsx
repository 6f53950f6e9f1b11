import { useMemo, useState } from 'preact/hooks';
import { api, type Session } from '../api.ts';
import { age, compareDecimal, money, when } from '../format.ts';
import { useLoad } from '../use-load.ts';

export interface Approval {
  readonly approvalId: string;
  readonly executionId: string;
  readonly runbook: string;
  readonly amount: string | null;
  readonly currency: string | null;
  readonly requiredRole: string;
  readonly deadline: string;
  readonly createdAt: string;
  readonly business: Record<string, string>;
  readonly requestedBy: { username: string };
  readonly proposal?: { decision?: { reasonCodes?: string[] } };
  readonly reasonCodes?: string[];
}

export function reasonCodesOf(a: Approval): string[] {
  return a.proposal?.decision?.reasonCodes ?? a.reasonCodes ?? [];
}

type SortKey = 'amount' | 'vendor' | 'age' | 'deadline';
const COLUMNS: readonly { key: SortKey | null; label: string }[] = [
  { key: 'vendor', label: 'Vendor' },
  { key: null, label: 'Document' },
  { key: 'amount', label: 'Amount' },
  { key: null, label: 'Reasons' },
  { key: 'age', label: 'Age' },
  { key: 'deadline', label: 'Deadline' },
  { key: null, label: 'Needs' },
];

function compare(key: SortKey, a: Approval, b: Approval): number {
  switch (key) {
    case 'amount':
      return compareDecimal(a.amount, b.amount);
    case 'vendor':
      return (a.business.vendorName ?? '').localeCompare(b.business.vendorName ?? '');
    case 'age':
      return b.createdAt.localeCompare(a.createdAt);
    case 'deadline':
      return a.deadline.localeCompare(b.deadline);
  }
}

/** What the signed-in person may decide (the API leaves out their own requests and what they may not take). */
export function InboxPage({ session }: { session: Session }) {
  const decides = session.roles.includes('ap_clerk') || session.roles.includes('controller');
  const list = useLoad(`inbox:${session.username}`, async () =>
    decides ? ((await api('GET', '/approvals?status=PENDING')).approvals as Approval[]) : [],
  );
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({
    key: 'deadline',
    descending: false,
  });
  const [reason, setReason] = useState('');
  const [text, setText] = useState('');

  const approvals = list.data ?? [];
  const counts = useMemo(() => {
    const byReason = new Map<string, number>();
    for (const a of approvals)
      for (const code of reasonCodesOf(a)) byReason.set(code, (byReason.get(code) ?? 0) + 1);
    return [...byReason.entries()].sort(([a], [b]) => a.localeCompare(b));
  }, [approvals]);
  const shown = useMemo(() => {
    const needle = text.trim().toLowerCase();
    return approvals
      .filter((a) => !reason || reasonCodesOf(a).includes(reason))
      .filter(
        (a) =>
          !needle ||
          `${a.business.vendorName ?? ''} ${a.business.invoiceNumber ?? ''}`.toLowerCase().includes(needle),
      )
      .sort((a, b) => (sort.descending ? -1 : 1) * compare(sort.key, a, b));
  }, [approvals, reason, text, sort]);

  if (!decides)
    return (
      <section>
        <h1 tabIndex={-1}>Inbox</h1>
        <p>
          Your role ({session.roles.join(', ')}) does not decide approvals, so nothing waits for you here.
          {session.roles.includes('auditor') && (
            <>
              {' '}
              See the <a href="#/audit">audit page</a>.
            </>
          )}
        </p>
      </section>
    );

  return (
    <section>
      <h1 tabIndex={-1}>Inbox</h1>
      <p>
        What you may decide. Your own requests are never here, nor what needs a role or an approval limit you
        do not hold.
      </p>
      {list.error && <p role="alert">{list.error.message}</p>}
      <section aria-labelledby="reasons-heading" class="counts">
        <h2 id="reasons-heading">Counts per reason</h2>
        {counts.length === 0 ? (
          <p>No reasons: nothing waits.</p>
        ) : (
          <ul>
            {counts.map(([code, n]) => (
              <li key={code}>
                <button
                  type="button"
                  aria-pressed={reason === code}
                  onClick={() => setReason(reason === code ? '' : code)}
                >
                  <span class="code">{code}</span> <span class="count">{n}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
      <div class="filters">
        <label for="reason-filter">Reason</label>
        <select
          id="reason-filter"
          value={reason}
          onChange={(e) => setReason((e.target as HTMLSelectElement).value)}
        >
          <option value="">Any reason</option>
          {counts.map(([code]) => (
            <option key={code} value={code}>
              {code}
            </option>
          ))}
        </select>
        <label for="text-filter">Vendor or document</label>
        <input
          id="text-filter"
          type="search"
          value={text}
          onInput={(e) => setText((e.target as HTMLInputElement).value)}
        />
        <button type="button" onClick={list.reload}>
          Refresh
        </button>
      </div>
      <p role="status" aria-live="polite">
        {list.loading ? 'Loading…' : `${shown.length} of ${approvals.length} waiting for you.`}
      </p>
      <table>
        <caption>Approvals waiting for you</caption>
        <thead>
          <tr>
            {COLUMNS.map((column) => {
              const key = column.key;
              if (!key)
                return (
                  <th scope="col" key={column.label}>
                    {column.label}
                  </th>
                );
              const active = sort.key === key;
              return (
                <th
                  scope="col"
                  key={column.label}
                  aria-sort={active ? (sort.descending ? 'descending' : 'ascending') : 'none'}
                >
                  <button
                    type="button"
                    class="sort"
                    onClick={() => setSort({ key, descending: active ? !sort.descending : false })}
                  >
                    {column.label}
                    <span aria-hidden="true">{active ? (sort.descending ? ' ▼' : ' ▲') : ''}</span>
                  </button>
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {shown.map((a) => (
            <tr key={a.approvalId}>
              <td>{a.business.vendorName ?? '—'}</td>
              <td>
                <a href={`#/case/${encodeURIComponent(a.approvalId)}`}>
                  {a.business.invoiceNumber ?? a.approvalId}
                </a>
              </td>
              <td class="num">{money(a.amount, a.currency)}</td>
              <td>
                {reasonCodesOf(a).map((code) => (
                  <span class="tag" key={code}>
                    {code}
                  </span>
                ))}
              </td>
              <td>{age(a.createdAt)}</td>
              <td>{when(a.deadline)}</td>
              <td>{a.requiredRole}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
