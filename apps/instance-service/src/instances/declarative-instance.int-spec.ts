// Instances of declarative elements (libs/elements/src/definitions) over HTTP: the catalog describes
// them, a token element needs no grant code (its credential is captured from the configuration and
// handed out by the internal access-token call), and what the element cannot plan is a 400 naming the
// configuration path at POST /instances — for Maximizer's CEQL too.
import { instanceSnapshotSchema } from '@pollcast/contracts';
import { waitFor } from '@pollcast/testing';
import { curlBody, useInstanceService, type Tenant } from '../testing/instance-service-harness';

const ISSUES_URL = "/hubs/code/issues?since=${gmtDate:yyyy-MM-dd'T'HH:mm:ss'Z'}";
const GITHUB_TOKEN = 'github_pat_0123456789abcdef';

function githubBody(overrides: Record<string, unknown> = {}, url = ISSUES_URL): Record<string, unknown> {
  return {
    element: { key: 'github' },
    name: 'acme/app issues',
    configuration: {
      'github.token': GITHUB_TOKEN,
      'github.owner': 'acme',
      'github.repo': 'app',
      'event.notification.enabled': true,
      'event.vendor.type': 'polling',
      'event.notification.callback.url': 'https://hooks.example.com/pollcast',
      'event.poller.configuration': {
        issues: {
          url,
          idField: 'id',
          datesConfiguration: {
            updatedDateField: 'updated_at',
            updatedDateFormat: "yyyy-MM-dd'T'HH:mm:ssXXX",
          },
        },
      },
      ...overrides,
    },
  };
}

describe('declarative elements in instance-service (real Postgres and Kafka)', () => {
  const harness = useInstanceService();
  const { api, internal, grantCode, snapshotsOf } = harness;
  let tenant: Tenant;

  beforeAll(() => {
    tenant = harness.tenantA;
  });

  const post = (body: unknown) =>
    api<{ id: number; configuration: Record<string, unknown>; errors?: { path: string; message: string }[] }>(
      'POST',
      '/elements/api-v2/instances',
      { authorization: tenant.authorization, body },
    );

  it('describes the definitions in the catalog: authentication, configuration keys, default poller configuration', async () => {
    const list = await api<{ key: string }[]>('GET', '/elements/api-v2/elements', {
      authorization: tenant.authorization,
    });
    expect(list.body.map((element) => element.key)).toEqual([
      'maximizer',
      'github',
      'hubspot',
      'salesforce',
      'zendesk',
    ]);
    const github = await api<Record<string, unknown>>('GET', '/elements/api-v2/elements/github', {
      authorization: tenant.authorization,
    });
    expect(github.status).toBe(200);
    expect(github.body).toMatchObject({
      key: 'github',
      hub: 'code',
      authentication: { type: 'bearer' },
      defaultPollerConfiguration: {
        issues: { url: ISSUES_URL, idField: 'id', datesConfiguration: { updatedAtField: 'updated_at' } },
      },
    });
    expect(github.body['configuration']).toContainEqual(
      expect.objectContaining({ key: 'github.token', secret: true, required: true }),
    );
    const salesforce = await api<Record<string, unknown>>('GET', '/elements/api-v2/elements/salesforce', {
      authorization: tenant.authorization,
    });
    expect(salesforce.body).toMatchObject({ authentication: { type: 'oauth2' } });
  });

  it('creates a token instance without a grant code, masks the token and hands it out as the credential', async () => {
    const created = await post(githubBody());
    expect(created.status).toBe(200);
    expect(created.body.configuration['github.token']).toBe('********');
    expect(JSON.stringify(created.body)).not.toContain(GITHUB_TOKEN);
    const [snapshot] = await waitFor(
      () => snapshotsOf(created.body.id).length > 0 && snapshotsOf(created.body.id),
    );
    const value = instanceSnapshotSchema.parse(snapshot?.value);
    expect(value).toMatchObject({
      elementKey: 'github',
      elementConfig: { 'github.owner': 'acme', 'github.url': 'https://api.github.com' },
    });
    expect(JSON.stringify(snapshot?.value)).not.toContain(GITHUB_TOKEN);

    const grant = await internal<{ accessToken: string; expiresAt: string }>(
      'POST',
      `/internal/instances/${created.body.id}/access-token`,
      { forceRefresh: false },
    );
    expect(grant.status).toBe(200);
    const credential = JSON.parse(
      Buffer.from(grant.body.accessToken.replace(/^pc1\./, ''), 'base64url').toString('utf8'),
    ) as { token: string };
    expect(credential.token).toBe(GITHUB_TOKEN);

    // A new token in the configuration is the new credential (no grant code needed to change it).
    const changed = await api('PATCH', `/elements/api-v2/instances/${created.body.id}`, {
      authorization: tenant.authorization,
      body: { configuration: { 'github.token': 'github_pat_rotated_987654321' } },
    });
    expect(changed.status).toBe(200);
    const after = await internal<{ accessToken: string }>(
      'POST',
      `/internal/instances/${created.body.id}/access-token`,
      {
        forceRefresh: false,
      },
    );
    expect(Buffer.from(after.body.accessToken.replace(/^pc1\./, ''), 'base64url').toString('utf8')).toContain(
      'github_pat_rotated_987654321',
    );
  });

  it('answers 400 naming the path for what the element cannot plan, a missing key and a refused URL', async () => {
    const unknownParameter = await post(githubBody({}, `${ISSUES_URL}&state=open`));
    expect(unknownParameter.status).toBe(400);
    expect(unknownParameter.body.errors).toEqual([
      {
        path: 'configuration.event.poller.configuration.issues.url',
        message: expect.stringContaining("unknown parameter 'state'"),
      },
    ]);

    const notADate = await post(githubBody({}, '/hubs/code/issues?since=yesterday'));
    expect(notADate.body.errors?.[0]).toMatchObject({
      path: 'configuration.event.poller.configuration.issues.url',
      message: expect.stringContaining('does not have the form'),
    });

    const missing = await post(githubBody({ 'github.owner': '' }));
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toContainEqual({
      path: 'configuration.github.owner',
      message: 'is required by GitHub',
    });

    const refused = await post(githubBody({ 'github.url': 'http://169.254.169.254' }));
    expect(refused.status).toBe(400);
    expect(refused.body.errors?.[0]?.path).toBe('configuration.github.url');
  });

  it('refuses reconciling deletions for a definition, which cannot list ids, naming deletions.mode', async () => {
    const body = githubBody();
    const configuration = body.configuration as Record<string, unknown>;
    const poller = configuration['event.poller.configuration'] as { issues: Record<string, unknown> };
    poller.issues.deletions = { mode: 'reconcile' };
    const refused = await post(body);
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toContainEqual({
      path: 'configuration.event.poller.configuration.issues.deletions.mode',
      message: expect.stringContaining('cannot reconcile'),
    });
    poller.issues.deletions = { mode: 'flag', field: 'state', value: 'deleted' };
    expect((await post(body)).status).toBe(200);
  });

  it('refuses Maximizer CEQL it cannot translate at POST /instances, not at the first poll', async () => {
    const body = curlBody(await grantCode(tenant));
    const configuration = body['configuration'] as Record<string, unknown>;
    configuration['event.poller.configuration'] = {
      contacts: {
        url: "/hubs/crm/contacts?where=LastModifyDate>'${date:yyyy-MM-dd'T'HH:mm:ssXXX}' AND NOT Name='x'",
        idField: 'Key',
        datesConfiguration: {
          updatedDateField: 'LastModifyDate',
          updatedDateFormat: "yyyy-MM-dd'T'HH:mm:ssXXX",
        },
      },
    };
    const refused = await post(body);
    expect(refused.status).toBe(400);
    expect(refused.body.errors?.[0]?.path).toBe('configuration.event.poller.configuration.contacts.url');
  });
});
