// A tiny History-API router: the console has five pages, and /oauth/callback must be a real path the
// provider can redirect to, so hash routing will not do.
import { useEffect, useState, type MouseEvent } from 'react';

export type Route =
  | { page: 'instances' }
  | { page: 'catalog' }
  | { page: 'create'; elementKey: string }
  | { page: 'instance'; id: string }
  | { page: 'oauth-callback' }
  | { page: 'not-found' };

export function parseRoute(pathname: string): Route {
  const parts = pathname
    .split('/')
    .filter((part) => part !== '')
    .map(decodeURIComponent);
  if (parts.length === 0) return { page: 'instances' };
  if (parts[0] === 'instances' && parts.length === 1) return { page: 'instances' };
  if (parts[0] === 'instances' && parts.length === 2 && parts[1] !== undefined)
    return { page: 'instance', id: parts[1] };
  if (parts[0] === 'catalog' && parts.length === 1) return { page: 'catalog' };
  if (parts[0] === 'catalog' && parts.length === 3 && parts[2] === 'new' && parts[1] !== undefined) {
    return { page: 'create', elementKey: parts[1] };
  }
  if (parts[0] === 'oauth' && parts[1] === 'callback' && parts.length === 2)
    return { page: 'oauth-callback' };
  return { page: 'not-found' };
}

export const paths = {
  instances: () => '/',
  catalog: () => '/catalog',
  create: (elementKey: string) => `/catalog/${encodeURIComponent(elementKey)}/new`,
  instance: (id: string) => `/instances/${encodeURIComponent(id)}`,
  oauthCallback: () => '/oauth/callback',
};

const NAVIGATION_EVENT = 'pollcast:navigate';

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (options.replace === true) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  window.dispatchEvent(new Event(NAVIGATION_EVENT));
}

export function useLocationPath(): string {
  const [path, setPath] = useState(() => location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    window.addEventListener('popstate', update);
    window.addEventListener(NAVIGATION_EVENT, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(NAVIGATION_EVENT, update);
    };
  }, []);
  return path;
}

/** Click handler for in-app links: plain left clicks navigate in place, others open as the browser would. */
export function followLink(event: MouseEvent<HTMLAnchorElement>, path: string): void {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(path);
}
