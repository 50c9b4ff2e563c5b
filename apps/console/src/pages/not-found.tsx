import { AppLink, PageTitle } from '../components/ui';
import { paths } from '../lib/router';

export function NotFoundPage() {
  return (
    <section>
      <PageTitle>Page not found</PageTitle>
      <p>
        There is nothing at this address. <AppLink to={paths.instances()}>Back to the instances</AppLink>.
      </p>
    </section>
  );
}
