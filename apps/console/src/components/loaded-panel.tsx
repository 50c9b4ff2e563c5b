// A detail-page panel around data that loads on its own: heading, refresh button, the load's error or
// spinner, then the content. One panel failing blanks only itself.
import type { ReactNode } from 'react';
import type { Loaded } from '../lib/use-load';
import { RefreshIcon } from './icons';
import { Notice, Spinner } from './ui';

export function LoadedPanel<T>({
  id,
  title,
  loaded,
  refreshLabel,
  loadingLabel,
  className = '',
  actions,
  notice,
  children,
}: {
  /** Prefix of the heading's id (the section is labelled by it). */
  readonly id: string;
  readonly title: string;
  readonly loaded: Loaded<T>;
  readonly refreshLabel: string;
  readonly loadingLabel: string;
  readonly className?: string;
  /** Buttons before the refresh button. */
  readonly actions?: ReactNode;
  /** A message above the content (an action's outcome). */
  readonly notice?: ReactNode;
  readonly children: (data: T) => ReactNode;
}) {
  const refresh = (
    <button type="button" className="button button-ghost" onClick={loaded.reload} aria-label={refreshLabel}>
      <RefreshIcon />
    </button>
  );
  return (
    <section className={`card panel ${className}`.trim()} aria-labelledby={`${id}-heading`}>
      <div className="panel-head">
        <h2 id={`${id}-heading`}>{title}</h2>
        {actions === undefined ? (
          refresh
        ) : (
          <div className="actions">
            {actions}
            {refresh}
          </div>
        )}
      </div>
      {notice}
      {loaded.error !== undefined && <Notice tone="error">{loaded.error.message}</Notice>}
      {loaded.loading && loaded.data === undefined && <Spinner label={loadingLabel} />}
      {loaded.data !== undefined && children(loaded.data)}
    </section>
  );
}
