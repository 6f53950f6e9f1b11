import './styles.css';
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { currentSession, type Session, signOut } from './api.ts';
import { AgentPage } from './pages/agent.tsx';
import { AuditPage } from './pages/audit.tsx';
import { CasePage } from './pages/case.tsx';
import { InboxPage } from './pages/inbox.tsx';
import { SignInPage } from './pages/sign-in.tsx';

/** Pages by hash, so the one index.html serves them all (locally and from CloudFront). */
type Route =
  | { page: 'inbox' }
  | { page: 'case'; approvalId: string }
  | { page: 'agent'; agentId: string }
  | { page: 'audit' };

function routeOf(hash: string): Route {
  const [, page, id] = hash.replace(/^#/, '').split('/');
  if (page === 'case' && id) return { page: 'case', approvalId: decodeURIComponent(id) };
  if (page === 'agent' && id) return { page: 'agent', agentId: decodeURIComponent(id) };
  if (page === 'audit') return { page: 'audit' };
  return { page: 'inbox' };
}

export const DEFAULT_AGENT = 'invoice-review-agent';

function App() {
  const [session, setSession] = useState<Session | undefined>(currentSession());
  const [route, setRoute] = useState<Route>(routeOf(location.hash));
  const main = useRef<HTMLElement>(null);
  useEffect(() => {
    const changed = () => setRoute(routeOf(location.hash));
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  // A new page moves keyboard and screen-reader focus to its heading.
  useEffect(() => {
    main.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [route, session]);

  const isAuditor = session?.roles.includes('auditor') ?? false;
  return (
    <>
      <button type="button" class="skip" onClick={() => main.current?.focus()}>
        Skip to content
      </button>
      <header class="top">
        <span class="brand">Tollgate work room</span>
        {session && (
          <nav aria-label="Pages">
            <ul>
              <li>
                <a
                  href="#/inbox"
                  aria-current={route.page === 'inbox' || route.page === 'case' ? 'page' : undefined}
                >
                  Inbox
                </a>
              </li>
              <li>
                <a
                  href={`#/agent/${DEFAULT_AGENT}`}
                  aria-current={route.page === 'agent' ? 'page' : undefined}
                >
                  Agent
                </a>
              </li>
              {(isAuditor ||
                session.roles.includes('controller') ||
                session.roles.includes('platform_admin')) && (
                <li>
                  <a href="#/audit" aria-current={route.page === 'audit' ? 'page' : undefined}>
                    Audit
                  </a>
                </li>
              )}
            </ul>
          </nav>
        )}
        {session && (
          <div class="who">
            <span>
              Signed in as <strong>{session.name || session.username}</strong> ({session.roles.join(', ')})
            </span>
            <button
              type="button"
              onClick={() => {
                signOut();
                setSession(undefined);
              }}
            >
              Sign out
            </button>
          </div>
        )}
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {!session ? (
          <SignInPage onSignedIn={setSession} />
        ) : route.page === 'case' ? (
          <CasePage approvalId={route.approvalId} session={session} />
        ) : route.page === 'agent' ? (
          <AgentPage agentId={route.agentId} session={session} />
        ) : route.page === 'audit' ? (
          <AuditPage />
        ) : (
          <InboxPage session={session} />
        )}
      </main>
    </>
  );
}

const root = document.getElementById('app');
if (root) render(<App />, root);
