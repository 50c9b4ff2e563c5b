import type { ConfigKeyDefinition } from '@pollcast/elements';
import { listElements } from '@pollcast/elements';
import { elementSummary, type ElementSummary } from '../instances/instance-mapper';

export interface ElementDescription extends ElementSummary {
  authentication: { type: string };
  configuration: ConfigKeyDefinition[];
  resources: Array<{ name: string; description: string; defaultPollerConfig: Record<string, unknown> }>;
  defaultRefreshIntervalMinutes: number;
  defaultPollerConfiguration: Record<string, unknown>;
}

/** Every element of the catalog, in catalog order. */
export function describeElements(): ElementDescription[] {
  return listElements().map((element, index) => describeElementAt(element.key, index));
}

/** One element of the catalog; undefined for a key it does not have. */
export function describeElement(key: string): ElementDescription | undefined {
  const index = listElements().findIndex((element) => element.key === key);
  return index < 0 ? undefined : describeElementAt(key, index);
}

function describeElementAt(key: string, index: number): ElementDescription {
  const element = listElements()[index];
  if (element === undefined || element.key !== key) throw new Error(`element ${key} moved in the catalog`);
  const resources = Object.values(element.resources).map((resource) => ({
    name: resource.name,
    description: resource.description,
    defaultPollerConfig: { ...resource.defaultPollerConfig },
  }));
  return {
    ...elementSummary(element, index),
    authentication: { type: element.authentication.type },
    configuration: [...element.configKeys],
    resources,
    defaultRefreshIntervalMinutes: element.defaultRefreshIntervalMinutes,
    defaultPollerConfiguration: Object.fromEntries(
      resources.map((resource) => [resource.name, resource.defaultPollerConfig]),
    ),
  };
}
