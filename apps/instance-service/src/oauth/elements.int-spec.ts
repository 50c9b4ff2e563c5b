// The element catalog and OAuth URL routes, and the OpenAPI document, over HTTP.
import { useInstanceService, type Tenant } from '../testing/instance-service-harness';

describe('instance-service over HTTP (real Postgres, Kafka, Maximizer simulator)', () => {
  const harness = useInstanceService();
  const { api } = harness;
  let tenantA: Tenant;

  beforeAll(() => {
    ({ tenantA } = harness);
  });

  describe('elements', () => {
    it('lists elements, describes one with its default poller configuration, and builds the authorize URL', async () => {
      const auth = { authorization: tenantA.authorization };
      const list = await api<Array<{ key: string }>>('GET', '/elements/api-v2/elements', auth);
      expect(list.body.map((element) => element.key)).toEqual([
        'maximizer',
        'github',
        'hubspot',
        'salesforce',
        'zendesk',
      ]);
      const maximizer = await api<{ defaultPollerConfiguration: Record<string, unknown> }>(
        'GET',
        '/elements/api-v2/elements/maximizer',
        auth,
      );
      expect(maximizer.body).toMatchObject({
        key: 'maximizer',
        hub: 'crm',
        defaultRefreshIntervalMinutes: 15,
      });
      expect(Object.keys(maximizer.body.defaultPollerConfiguration).sort()).toEqual([
        'addressbook-entries',
        'companies',
        'contacts',
        'opportunities',
      ]);
      expect((await api('GET', '/elements/api-v2/elements/nope', auth)).status).toBe(404);
      const url = await api<{ oauthUrl: string; element: string }>(
        'GET',
        '/elements/api-v2/elements/maximizer/oauth/url?apiKey=abc&apiSecret=s&callbackUrl=https%3A%2F%2Fapp.example%2Fcb&state=xyz&siteAddress=https%3A%2F%2Fcrm.example.com&maximizer.alias=acme',
        auth,
      );
      expect(url.body).toEqual({
        element: 'maximizer',
        oauthUrl:
          'https://crm.example.com/OAuth2/acme/Authorize?scope=data&response_type=code&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&state=xyz&client_id=abc',
      });
      const missing = await api('GET', '/elements/api-v2/elements/maximizer/oauth/url', auth);
      expect(missing.status).toBe(400);
      expect(missing.body.errors.map((error) => error.path)).toEqual(['apiKey', 'callbackUrl']);
    });

    it('serves the OpenAPI document with the public and internal routes', async () => {
      const document = await api<{ paths: Record<string, unknown> }>('GET', '/docs-json');
      expect(document.status).toBe(200);
      expect(Object.keys(document.body.paths)).toEqual(
        expect.arrayContaining([
          '/elements/api-v2/instances',
          '/elements/api-v2/instances/{id}',
          '/elements/api-v2/instances/{id}/configuration/{configId}',
          '/elements/api-v2/elements/{key}/oauth/url',
          '/internal/instances/{id}/access-token',
        ]),
      );
      expect((await api('GET', '/health/live')).status).toBe(200);
    });
  });
});
