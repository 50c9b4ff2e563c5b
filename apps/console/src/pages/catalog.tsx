import { useApi } from '../api-context';
import { PlusIcon } from '../components/icons';
import { AppLink, Notice, PageTitle, Spinner } from '../components/ui';
import { paths } from '../lib/router';
import { useLoad } from '../lib/use-load';

export function CatalogPage() {
  const api = useApi();
  const elements = useLoad(() => api.listElements(), [api]);
  return (
    <section>
      <PageTitle>Elements</PageTitle>
      <p className="lede">Pick the service to connect. Pollcast polls it for changes and calls you back.</p>
      {elements.error !== undefined && <Notice tone="error">{elements.error.message}</Notice>}
      {elements.loading && elements.data === undefined && <Spinner label="Loading the element catalog…" />}
      {elements.data !== undefined && elements.data.length === 0 && (
        <p className="empty">No elements are available.</p>
      )}
      <ul className="element-grid" aria-label="Elements">
        {elements.data?.map((element) => (
          <li key={element.key} className="card element-card">
            <h2>{element.name}</h2>
            <p className="muted">
              key <code>{element.key}</code>
              {element.hub !== undefined && (
                <>
                  {' '}
                  · hub <code>{element.hub}</code>
                </>
              )}
            </p>
            {element.description !== undefined && <p>{element.description}</p>}
            <AppLink to={paths.create(element.key)} className="button button-primary">
              <PlusIcon />
              <span>
                Create instance<span className="visually-hidden"> of {element.name}</span>
              </span>
            </AppLink>
          </li>
        ))}
      </ul>
    </section>
  );
}
