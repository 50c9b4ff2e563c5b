import type { CanonicalInstanceConfig, ElementDescriptor } from '@pollcast/config-schema';
import { getElement, listElements, type ElementAdapter, type ElementConfiguration } from '@pollcast/elements';
import { elementSummary, type ElementSummary } from '../instances/instance-mapper';

/** Deployment-wide element defaults (env): applied under an instance's own element configuration. */
export interface ElementDeploymentDefaults {
  maximizerBaseUrl?: string;
  maximizerAlias?: string;
}

export function deploymentDefaultsFor(
  elementKey: string,
  defaults: ElementDeploymentDefaults,
  clientConfiguration: Record<string, unknown> = {},
): Record<string, string> {
  if (elementKey !== 'maximizer') return {};
  const result: Record<string, string> = {};
  const chosenDatacenter = !['', null, undefined].includes(
    clientConfiguration['maximizer.datacenter'] as string,
  );
  // A client that names its data center means Maximizer's cloud, not the deployment's server.
  if (defaults.maximizerBaseUrl !== undefined && !chosenDatacenter)
    result['maximizer.url'] = defaults.maximizerBaseUrl;
  // A deployment with its own Maximizer server (or the simulator) needs no alias from each client.
  const alias = defaults.maximizerAlias ?? (defaults.maximizerBaseUrl !== undefined ? 'pollcast' : undefined);
  if (alias !== undefined) result['maximizer.alias'] = alias;
  return result;
}

/** The canonical configuration with the deployment's defaults filled in where the client set nothing. */
export function withDeploymentDefaults(
  config: CanonicalInstanceConfig,
  defaults: ElementDeploymentDefaults,
): CanonicalInstanceConfig {
  return {
    ...config,
    elementConfig: {
      ...deploymentDefaultsFor(config.elementKey, defaults, config.original),
      ...config.elementConfig,
    },
  };
}

/** What the element adapter reads: element keys plus the OAuth client settings. */
export function elementCallConfiguration(config: CanonicalInstanceConfig): ElementConfiguration {
  return {
    ...config.elementConfig,
    ...(config.oauth.apiKey === undefined ? {} : { 'oauth.api.key': config.oauth.apiKey }),
    ...(config.oauth.apiSecret === undefined ? {} : { 'oauth.api.secret': config.oauth.apiSecret }),
    ...(config.oauth.callbackUrl === undefined ? {} : { 'oauth.callback.url': config.oauth.callbackUrl }),
  };
}

/** config-schema's view of an element. */
export function resolveElementDescriptor(key: string): ElementDescriptor | undefined {
  return getElement(key);
}

export function findElement(key: string): { adapter: ElementAdapter; summary: ElementSummary } | undefined {
  const elements = listElements();
  const index = elements.findIndex((element) => element.key === key);
  const adapter = elements[index];
  return adapter === undefined ? undefined : { adapter, summary: elementSummary(adapter, index) };
}
