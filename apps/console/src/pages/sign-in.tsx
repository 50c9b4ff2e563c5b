// Sign in with the organization and user secrets. They are checked with one API call before being kept
// (sessionStorage, see api/session.ts).
import { useState, type FormEvent } from 'react';
import { ApiError, PollcastApi } from '../api/client';
import type { ConsoleConfig, Credentials } from '../api/types';
import { TextField } from '../components/field';
import { Notice, PageTitle } from '../components/ui';

export function SignInPage({
  config,
  onSignedIn,
}: {
  readonly config: ConsoleConfig;
  readonly onSignedIn: (credentials: Credentials) => void;
}) {
  const [organizationSecret, setOrganizationSecret] = useState('');
  const [userSecret, setUserSecret] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const credentials = { organizationSecret: organizationSecret.trim(), userSecret: userSecret.trim() };
    if (credentials.organizationSecret === '' || credentials.userSecret === '') {
      setProblem('Enter both the organization secret and the user secret.');
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      await new PollcastApi(config, credentials).listInstances();
      onSignedIn(credentials);
    } catch (error: unknown) {
      setProblem(
        error instanceof ApiError && (error.status === 401 || error.status === 403)
          ? 'These secrets were not accepted. Check the organization and user secrets.'
          : error instanceof Error
            ? error.message
            : 'Sign-in failed.',
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="sign-in card">
      <PageTitle>Sign in</PageTitle>
      <p className="lede">Use your organization and user secrets. They are kept in this tab only.</p>
      {problem !== null && <Notice tone="error">{problem}</Notice>}
      <form onSubmit={(event) => void submit(event)} noValidate>
        <TextField
          id="organization-secret"
          label="Organization secret"
          type="password"
          autoComplete="off"
          value={organizationSecret}
          onChange={setOrganizationSecret}
          required
        />
        <TextField
          id="user-secret"
          label="User secret"
          type="password"
          autoComplete="off"
          value={userSecret}
          onChange={setUserSecret}
          required
        />
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </section>
  );
}
