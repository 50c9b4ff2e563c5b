import { parseInstanceBody } from '@pollcast/config-schema';
import { getElement } from '@pollcast/elements';
import { deploymentDefaultsFor, elementCallConfiguration, withDeploymentDefaults } from './element-config';

describe('deployment defaults for elements', () => {
  it('fills maximizer.url and an alias from the environment when the client set neither', () => {
    expect(deploymentDefaultsFor('maximizer', { maximizerBaseUrl: 'http://127.0.0.1:8091' })).toEqual({
      'maximizer.url': 'http://127.0.0.1:8091',
      'maximizer.alias': 'pollcast',
    });
    expect(
      deploymentDefaultsFor('maximizer', { maximizerBaseUrl: 'http://sim', maximizerAlias: 'acme' }),
    ).toEqual({
      'maximizer.url': 'http://sim',
      'maximizer.alias': 'acme',
    });
    expect(deploymentDefaultsFor('maximizer', {})).toEqual({});
    expect(deploymentDefaultsFor('other', { maximizerBaseUrl: 'http://sim' })).toEqual({});
  });

  it("keeps the client's own values and its choice of data center", () => {
    const parsed = parseInstanceBody(
      {
        element: { key: 'maximizer' },
        configuration: {
          'maximizer.datacenter': 'cae',
          'maximizer.alias': 'mine',
          'oauth.api.key': 'id',
          'oauth.api.secret': 'secret',
          'oauth.callback.url': 'https://cb',
        },
      },
      { resolveElement: getElement, mode: 'create' },
    );
    if (!parsed.ok) throw new Error('fixture invalid');
    const config = withDeploymentDefaults(parsed.value, { maximizerBaseUrl: 'http://sim' });
    expect(config.elementConfig).toEqual({ 'maximizer.datacenter': 'cae', 'maximizer.alias': 'mine' });
    expect(elementCallConfiguration(config)).toEqual({
      'maximizer.datacenter': 'cae',
      'maximizer.alias': 'mine',
      'oauth.api.key': 'id',
      'oauth.api.secret': 'secret',
      'oauth.callback.url': 'https://cb',
    });
  });
});
