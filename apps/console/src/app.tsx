// Shell: loads console-config.json, holds the session, picks the page for the current path.
import { useEffect, useMemo, useState } from 'react';
import { PollcastApi } from './api/client';
import { loadConsoleConfig } from './api/config';
import { clearCredentials, loadCredentials, saveCredentials } from './api/session';
import type { ConsoleConfig, Credentials } from './api/types';
import { ApiContext } from './api-context';
import { LogoIcon, SignOutIcon } from './components/icons';
import { AppLink, Spinner } from './components/ui';
import { navigate, parseRoute, paths, useLocationPath, type Route } from './lib/router';
import { CatalogPage } from './pages/catalog';
import { CreateInstancePage } from './pages/create-instance';
import { InstanceDetailPage } from './pages/instance-detail';
import { InstanceListPage } from './pages/instance-list';
import { NotFoundPage } from './pages/not-found';
import { OAuthCallbackPage } from './pages/oauth-callback';
import { SignInPage } from './pages/sign-in';

function SignedInPage({ route }: { readonly route: Route }) {
  switch (route.page) {
    case 'instances':
      return <InstanceListPage />;
    case 'catalog':
      return <CatalogPage />;
    case 'create':
      return <CreateInstancePage key={route.elementKey} elementKey={route.elementKey} />;
    case 'instance':
      return <InstanceDetailPage key={route.id} instanceId={route.id} />;
    case 'oauth-callback':
      return <OAuthCallbackPage />;
    case 'not-found':
      return <NotFoundPage />;
  }
}

export function App() {
  const path = useLocationPath();
  const route = parseRoute(path);
  const [config, setConfig] = useState<ConsoleConfig | null>(null);
  const [credentials, setCredentials] = useState<Credentials | null>(() => loadCredentials());

  useEffect(() => {
    let cancelled = false;
    void loadConsoleConfig().then((loaded) => {
      if (!cancelled) setConfig(loaded);
    });
    return () => {
      cancelled = true;
    };
  }, []);

  const api = useMemo(
    () => (config !== null && credentials !== null ? new PollcastApi(config, credentials) : null),
    [config, credentials],
  );

  // The callback page runs in the provider's popup and needs neither the shell nor a session.
  if (route.page === 'oauth-callback') return <OAuthCallbackPage />;
  if (config === null) return <Spinner label="Loading the console…" />;

  const signOut = () => {
    clearCredentials();
    setCredentials(null);
    navigate(paths.instances());
  };

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <AppLink to={paths.instances()} className="brand">
          <LogoIcon />
          <span>Pollcast</span>
        </AppLink>
        {api !== null && (
          <nav aria-label="Main">
            <ul>
              <li>
                <AppLink
                  to={paths.instances()}
                  className={route.page === 'instances' || route.page === 'instance' ? 'active' : ''}
                >
                  Instances
                </AppLink>
              </li>
              <li>
                <AppLink
                  to={paths.catalog()}
                  className={route.page === 'catalog' || route.page === 'create' ? 'active' : ''}
                >
                  Elements
                </AppLink>
              </li>
            </ul>
          </nav>
        )}
        {api !== null && (
          <button type="button" className="button button-ghost sign-out" onClick={signOut}>
            <SignOutIcon />
            Sign out
          </button>
        )}
      </header>
      <main id="main" className="app-main">
        {api === null ? (
          <SignInPage
            config={config}
            onSignedIn={(signedIn) => {
              saveCredentials(signedIn);
              setCredentials(signedIn);
            }}
          />
        ) : (
          <ApiContext.Provider value={api}>
            <SignedInPage route={route} />
          </ApiContext.Provider>
        )}
      </main>
    </>
  );
}
