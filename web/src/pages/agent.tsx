import { useState } from 'preact/hooks';
import { ApiError, api, type Json, type Session } from '../api.ts';
import { money, when } from '../format.ts';
import { useLoad } from '../use-load.ts';

interface Limit {
  readonly amount: string;
  readonly currency: string;
}
interface Pact {
  readonly action: string;
  readonly perActionLimit?: Limit;
  readonly dailyLimit?: Limit;
  readonly autoApproveLimit?: Limit;
}
interface Promotion {
  readonly promotionId: string;
  readonly status: string;
  readonly fromTier: string;
  readonly change: unknown;
  readonly justification: string;
  /** The packet names the proposer; a proposal's own answer carries who with their role. */
  readonly proposedBy: string | { username: string; role: string };
  readonly attached?: { rules?: { met: boolean; shortfalls: string[] } };
  readonly proposedAt: string;
}

const limit = (l?: Limit) => (l ? money(l.amount, l.currency) : '—');
const proposerOf = (p: Promotion) =>
  typeof p.proposedBy === 'string' ? p.proposedBy : p.proposedBy.username;

/** Score over time as a line; the same points are in the table beside it. */
function ScoreChart({ points }: { points: { at: string; score: number }[] }) {
  if (points.length < 2) return <p>Not enough outcomes yet to draw the score over time.</p>;
  const width = 480;
  const height = 140;
  const scores = points.map((p) => p.score);
  const low = Math.min(0, ...scores);
  const high = Math.max(1, ...scores);
  const xy = points.map((p, i) => [
    (i / (points.length - 1)) * (width - 20) + 10,
    height - 10 - ((p.score - low) / (high - low)) * (height - 20),
  ]);
  return (
    <svg
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={`Score over time, from ${scores[0]} to ${scores[scores.length - 1]} over ${points.length} outcomes`}
      class="chart"
    >
      <polyline
        fill="none"
        stroke="#0b4f8a"
        stroke-width="2"
        points={xy.map(([x, y]) => `${x},${y}`).join(' ')}
      />
    </svg>
  );
}

/** An agent's trust packet: tier, limits, outcomes, exposure; for a controller, promotions to sign off. */
export function AgentPage({ agentId, session }: { agentId: string; session: Session }) {
  const controls = useLoad(`controls:${agentId}`, () =>
    api('GET', `/agents/${encodeURIComponent(agentId)}/controls`),
  );
  const packet = useLoad(`packet:${agentId}`, () =>
    api('GET', `/agents/${encodeURIComponent(agentId)}/trust-packet`).catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 403) return null;
      throw error;
    }),
  );
  const signsOff = session.roles.includes('controller') || session.roles.includes('platform_admin');
  const [comments, setComments] = useState<Record<string, string>>({});
  const [result, setResult] = useState<string>();

  const decide = async (promotionId: string, decision: 'APPROVE' | 'REJECT') => {
    try {
      await api('POST', `/promotions/${encodeURIComponent(promotionId)}/decision`, {
        decision,
        comment: comments[promotionId] ?? '',
      });
      setResult(`Promotion ${promotionId} ${decision === 'APPROVE' ? 'signed off' : 'refused'}.`);
      packet.reload();
      controls.reload();
    } catch (e) {
      setResult((e as Error).message);
    }
  };

  const c = controls.data;
  const p = packet.data;
  const pending: Promotion[] = (p?.promotions ?? []).filter((x: Promotion) => x.status === 'PENDING');
  return (
    <section>
      <h1 tabIndex={-1}>Agent {c?.displayName ?? agentId}</h1>
      {controls.error && <p role="alert">{controls.error.message}</p>}
      {c && (
        <dl class="summary">
          <dt>Tier</dt>
          <dd>{c.tier}</dd>
          <dt>Score</dt>
          <dd>{c.score}</dd>
          <dt>Suspended</dt>
          <dd>{c.suspended ? 'yes' : 'no'}</dd>
          <dt>Open escrow</dt>
          <dd>
            {c.openEscrow.holds} holds
            {c.openEscrow.amounts.length > 0
              ? `: ${c.openEscrow.amounts.map((a: Limit) => money(a.amount, a.currency)).join(', ')}`
              : ''}
          </dd>
        </dl>
      )}
      <h2>Limits</h2>
      <table>
        <caption>Pacts and limits</caption>
        <thead>
          <tr>
            <th scope="col">Action</th>
            <th scope="col">Auto-approve up to</th>
            <th scope="col">Per action</th>
            <th scope="col">Per day</th>
          </tr>
        </thead>
        <tbody>
          {(c?.pacts ?? []).map((pact: Pact) => (
            <tr key={pact.action}>
              <th scope="row">{pact.action}</th>
              <td class="num">{limit(pact.autoApproveLimit)}</td>
              <td class="num">{limit(pact.perActionLimit)}</td>
              <td class="num">{limit(pact.dailyLimit)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {p === null && (
        <p>
          The trust packet (outcomes, history, promotions) is for controllers, auditors and platform admins.
        </p>
      )}
      {p && (
        <>
          <h2>Outcomes</h2>
          <ul>
            {Object.entries(p.figures.outcomesByKind as Record<string, number>).map(([kind, n]) => (
              <li key={kind}>
                {kind}: {n}
              </li>
            ))}
            <li>
              override rate:{' '}
              {p.figures.overrideRateBp === null
                ? 'n/a (too few outcomes)'
                : `${p.figures.overrideRateBp / 100}%`}
            </li>
          </ul>
          <h2>Score over time</h2>
          <ScoreChart points={p.scoreOverTime} />
          <h2>Tier history</h2>
          {p.tierHistory.length === 0 ? (
            <p>No tier changes.</p>
          ) : (
            <ul>
              {p.tierHistory.map((t: Json, i: number) => (
                <li key={`${t.at}-${i}`}>
                  {when(t.at)}: {t.from} → {t.to}{' '}
                  {t.automatic ? '(automatic)' : `(signed off by ${t.signOff?.by ?? '—'})`}
                  {t.reason ? `: ${t.reason}` : ''}
                </li>
              ))}
            </ul>
          )}
          <h2>Pending promotions</h2>
          {pending.length === 0 ? (
            <p>None.</p>
          ) : (
            <ul class="promotions">
              {pending.map((x) => (
                <li key={x.promotionId}>
                  <p>
                    <strong>{x.promotionId}</strong>: from {x.fromTier}, {JSON.stringify(x.change)}; proposed
                    by {proposerOf(x)} at {when(x.proposedAt)}: {x.justification}
                  </p>
                  {x.attached?.rules && !x.attached.rules.met && (
                    <p>
                      The evidence is short of the promotion rules ({x.attached.rules.shortfalls.join(', ')}):
                      a sign-off would be refused.
                    </p>
                  )}
                  {signsOff && proposerOf(x) !== session.username && (
                    <div>
                      <label for={`note-${x.promotionId}`}>Comment (required)</label>
                      <textarea
                        id={`note-${x.promotionId}`}
                        rows={2}
                        value={comments[x.promotionId] ?? ''}
                        onInput={(e) =>
                          setComments({
                            ...comments,
                            [x.promotionId]: (e.target as HTMLTextAreaElement).value,
                          })
                        }
                      />
                      <button type="button" class="primary" onClick={() => decide(x.promotionId, 'APPROVE')}>
                        Sign off
                      </button>
                      <button type="button" class="danger" onClick={() => decide(x.promotionId, 'REJECT')}>
                        Refuse
                      </button>
                    </div>
                  )}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      <p role="status" aria-live="polite">
        {result ?? ''}
      </p>
    </section>
  );
}
