import { useApi } from '../api-context';
import type { Instance } from '../api/types';
import { PlusIcon, RefreshIcon } from '../components/icons';
import { AppLink, Badge, formatDate, Notice, PageTitle, Spinner } from '../components/ui';
import { paths } from '../lib/router';
import { useLoad } from '../lib/use-load';

export function InstanceStatusBadges({ instance }: { readonly instance: Instance }) {
  return (
    <span className="badges">
      <Badge tone={instance.enabled ? 'good' : 'neutral'}>{instance.enabled ? 'Enabled' : 'Disabled'}</Badge>
      <Badge tone={instance.valid ? 'good' : 'bad'}>{instance.valid ? 'Valid' : 'Invalid'}</Badge>
      <Badge tone={instance.eventsEnabled ? 'good' : 'neutral'}>
        {instance.eventsEnabled ? 'Events on' : 'Events off'}
      </Badge>
    </span>
  );
}

export function InstanceListPage() {
  const api = useApi();
  const instances = useLoad(() => api.listInstances(), [api]);

  return (
    <section>
      <div className="page-head">
        <PageTitle>Instances</PageTitle>
        <div className="actions">
          <button type="button" className="button" onClick={instances.reload}>
            <RefreshIcon />
            Refresh
          </button>
          <AppLink to={paths.catalog()} className="button button-primary">
            <PlusIcon />
            Create instance
          </AppLink>
        </div>
      </div>
      {instances.error !== undefined && <Notice tone="error">{instances.error.message}</Notice>}
      {instances.loading && instances.data === undefined && <Spinner label="Loading instances…" />}
      {instances.data !== undefined && instances.data.length === 0 && (
        <div className="card empty-state">
          <p>No instances yet. Connect an element to start polling it for changes.</p>
          <AppLink to={paths.catalog()} className="button button-primary">
            <PlusIcon />
            Create your first instance
          </AppLink>
        </div>
      )}
      {instances.data !== undefined && instances.data.length > 0 && (
        <ul className="instance-list" aria-label="Instances">
          {instances.data.map((instance) => (
            <li key={instance.id} className="card instance-row">
              <div>
                <h2 className="instance-name">
                  <AppLink to={paths.instance(instance.id)}>{instance.name}</AppLink>
                </h2>
                <p className="muted">
                  {instance.elementName} · id {instance.id} · created {formatDate(instance.createdDate)}
                </p>
                {instance.tags.length > 0 && (
                  <p className="tags" aria-label="Tags">
                    {instance.tags.map((tag) => (
                      <span key={tag} className="tag">
                        {tag}
                      </span>
                    ))}
                  </p>
                )}
              </div>
              <InstanceStatusBadges instance={instance} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
