import {
  createElement,
  listElements,
  registerElementDefinitionsFrom,
  type ElementAdapter,
} from '@pollcast/elements';
import { elementSummary, type ElementSummary } from '../instances/instance-mapper';

/**
 * The element adapters instance-service calls providers with (code exchange, refresh): its own
 * instances, built with the operator's provider allow-list (POLLCAST_PROVIDER_ALLOWED_HOSTS), so every
 * call goes through the outbound guard with this deployment's policy. Catalog data (summaries, config
 * keys) is the same as the shared adapters'.
 */
export class ProviderElements {
  private readonly adapters = new Map<string, ElementAdapter>();

  /** `elementsDir`: the operator's definitions (POLLCAST_ELEMENTS_DIR), added to the catalog here, at
   * start, so a broken one stops the service before it serves anything. */
  constructor(
    private readonly allowedHosts: readonly string[],
    elementsDir?: string,
  ) {
    if (elementsDir !== undefined) registerElementDefinitionsFrom(elementsDir);
  }

  find(key: string): { adapter: ElementAdapter; summary: ElementSummary } | undefined {
    const catalog = listElements();
    const index = catalog.findIndex((element) => element.key === key);
    const entry = catalog[index];
    if (entry === undefined) return undefined;
    let adapter = this.adapters.get(key);
    if (adapter === undefined) {
      adapter = createElement(key, { outbound: { allowedHosts: this.allowedHosts } });
      this.adapters.set(key, adapter);
    }
    return { adapter, summary: elementSummary(entry, index) };
  }

  async close(): Promise<void> {
    const adapters = [...this.adapters.values()];
    this.adapters.clear();
    await Promise.allSettled(adapters.map((adapter) => adapter.close()));
  }
}
