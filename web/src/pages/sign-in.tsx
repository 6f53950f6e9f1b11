import { useEffect, useState } from 'preact/hooks';
import {
  demoUsers,
  finishHostedSignIn,
  hostedSignIn,
  type Session,
  signInAs,
  startHostedSignIn,
} from '../api.ts';
import type { HostedSignIn } from '../pkce.ts';
import { useLoad } from '../use-load.ts';

/**
 * Sign-in: in AWS, at the stack's Cognito hosted UI (authorization code with PKCE); on the local
 * stack, as one of its demo users.
 */
export function SignInPage({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const mode = useLoad('sign-in', async (): Promise<{ hosted?: HostedSignIn }> => {
    const hosted = await hostedSignIn();
    return hosted ? { hosted } : {};
  });
  const hosted = mode.data?.hosted;
  const [error, setError] = useState<string>();
  useEffect(() => {
    if (!hosted) return;
    finishHostedSignIn(hosted).then(
      (session) => session && onSignedIn(session),
      (e: Error) => setError(e.message),
    );
  }, [hosted, onSignedIn]);

  return (
    <section>
      <h1 tabIndex={-1}>Sign in</h1>
      {mode.loading ? (
        <p role="status">Loading…</p>
      ) : hosted ? (
        <p>
          <button type="button" class="primary" onClick={() => startHostedSignIn(hosted)}>
            Sign in with your organisation account
          </button>
        </p>
      ) : (
        <DemoSignIn onSignedIn={onSignedIn} onError={setError} />
      )}
      {error && <p role="alert">{error}</p>}
    </section>
  );
}

function DemoSignIn({
  onSignedIn,
  onError,
}: {
  onSignedIn: (session: Session) => void;
  onError: (message: string | undefined) => void;
}) {
  const users = useLoad('users', demoUsers);
  const [chosen, setChosen] = useState('');
  const submit = async (event: Event) => {
    event.preventDefault();
    onError(undefined);
    try {
      onSignedIn(await signInAs(chosen));
      location.hash = '#/inbox';
    } catch (e) {
      onError((e as Error).message);
    }
  };
  return (
    <>
      <p>This is the local stack: sign in as one of its demo users.</p>
      {users.error && <p role="alert">{users.error.message}</p>}
      <form onSubmit={submit}>
        <label for="user">Demo user</label>
        <select
          id="user"
          value={chosen}
          onChange={(e) => setChosen((e.target as HTMLSelectElement).value)}
          required
        >
          <option value="">Choose a user…</option>
          {(users.data ?? []).map((u) => (
            <option key={u.username} value={u.username}>
              {u.displayName} — {u.username}
            </option>
          ))}
        </select>
        <button type="submit" class="primary">
          Sign in
        </button>
      </form>
    </>
  );
}
