import { useState } from 'preact/hooks';
import { demoUsers, type Session, signInAs } from '../api.ts';
import { useLoad } from '../use-load.ts';

/** The local stack's sign-in: pick a demo user. (In AWS the stack's Cognito hosted UI signs people in.) */
export function SignInPage({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const users = useLoad('users', demoUsers);
  const [chosen, setChosen] = useState('');
  const [error, setError] = useState<string>();
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    try {
      onSignedIn(await signInAs(chosen));
      location.hash = '#/inbox';
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <section>
      <h1 tabIndex={-1}>Sign in</h1>
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
      {error && <p role="alert">{error}</p>}
    </section>
  );
}
