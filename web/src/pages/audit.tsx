import { useState } from 'preact/hooks';
import { api, type Json } from '../api.ts';
import { when } from '../format.ts';
import { useLoad } from '../use-load.ts';

const today = () => new Date().toISOString().slice(0, 10);
const monthStart = () => `${today().slice(0, 8)}01`;

/** For an auditor: the runs of a period, as GET /executions lists them, and the open exceptions. */
export function AuditPage() {
  const [from, setFrom] = useState(monthStart());
  const [to, setTo] = useState(today());
  const [period, setPeriod] = useState({ from: monthStart(), to: today() });
  const runs = useLoad(`runs:${period.from}:${period.to}`, async () => {
    const all: Json[] = [];
    let next: string | null = null;
    do {
      const query = new URLSearchParams({ from: period.from, to: period.to, limit: '100' });
      if (next) query.set('nextToken', next);
      const page = await api('GET', `/executions?${query}`);
      all.push(...page.executions);
      next = page.nextToken;
    } while (next && all.length < 1000);
    return all;
  });
  const exceptions = useLoad('exceptions', () => api('GET', '/exceptions'));
  return (
    <section>
      <h1 tabIndex={-1}>Audit</h1>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setPeriod({ from, to });
        }}
      >
        <label for="from">From</label>
        <input
          id="from"
          type="date"
          value={from}
          onInput={(e) => setFrom((e.target as HTMLInputElement).value)}
        />
        <label for="to">To</label>
        <input id="to" type="date" value={to} onInput={(e) => setTo((e.target as HTMLInputElement).value)} />
        <button type="submit" class="primary">
          Show period
        </button>
      </form>
      <h2>Standard exports and evidence verification</h2>
      <p>
        Run them for this period from a terminal on the stack's data folder; each export is written with its
        manifest:
      </p>
      <pre>{`npx tollgate evidence verify\nnpx tollgate evidence export ap-matches-over-amount --from ${period.from} --to ${period.to} --min-amount 0`}</pre>
      <h2>Runs in the period</h2>
      {runs.error && <p role="alert">{runs.error.message}</p>}
      <p role="status" aria-live="polite">
        {runs.loading ? 'Loading…' : `${runs.data?.length ?? 0} runs.`}
      </p>
      <table>
        <caption>
          Runs from {period.from} to {period.to}
        </caption>
        <thead>
          <tr>
            <th scope="col">Created</th>
            <th scope="col">Runbook</th>
            <th scope="col">Status</th>
            <th scope="col">Requested by</th>
            <th scope="col">Run</th>
          </tr>
        </thead>
        <tbody>
          {(runs.data ?? []).map((r) => (
            <tr key={r.executionId}>
              <td>{when(r.createdAt)}</td>
              <td>{r.runbook}</td>
              <td>{r.status}</td>
              <td>{r.requestedBy?.username}</td>
              <td>
                <code>{r.executionId}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Open exceptions</h2>
      {exceptions.error ? (
        <p>{exceptions.error.message}</p>
      ) : (
        <ul>
          {(exceptions.data?.exceptions ?? []).map((x: Json) => (
            <li key={x.exceptionId}>
              <span class="code">{x.kind}</span>: {x.summary}
            </li>
          ))}
          {(exceptions.data?.exceptions ?? []).length === 0 && <li>None open.</li>}
        </ul>
      )}
    </section>
  );
}
