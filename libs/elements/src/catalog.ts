// The element catalog: the one place that lists elements. Adding an element = a new folder
// exporting a factory, plus one line here.
import { createMaximizerAdapter } from './maximizer';
import type { ElementAdapter } from './types';

const ELEMENT_FACTORIES: Readonly<Record<string, () => ElementAdapter>> = {
  maximizer: () => createMaximizerAdapter(),
};

// Shared instances: each holds keep-alive pools, so one per process, created on first use.
const sharedAdapters = new Map<string, ElementAdapter>();

/** The element with this key (shared instance, default timeouts), or undefined. */
export function getElement(key: string): ElementAdapter | undefined {
  const existing = sharedAdapters.get(key);
  if (existing !== undefined) return existing;
  const factory = Object.hasOwn(ELEMENT_FACTORIES, key) ? ELEMENT_FACTORIES[key] : undefined;
  if (factory === undefined) return undefined;
  const adapter = factory();
  sharedAdapters.set(key, adapter);
  return adapter;
}

export class UnknownElementError extends Error {
  constructor(readonly elementKey: string) {
    super(`Unknown element '${elementKey}'; known elements: ${Object.keys(ELEMENT_FACTORIES).join(', ')}`);
    this.name = 'UnknownElementError';
  }
}

/** Like getElement, but throws UnknownElementError. */
export function requireElement(key: string): ElementAdapter {
  const adapter = getElement(key);
  if (adapter === undefined) throw new UnknownElementError(key);
  return adapter;
}

export function listElements(): ElementAdapter[] {
  return Object.keys(ELEMENT_FACTORIES).map(requireElement);
}

/** Close the shared adapters' connections (service shutdown, end of tests). */
export async function closeElements(): Promise<void> {
  const adapters = [...sharedAdapters.values()];
  sharedAdapters.clear();
  await Promise.all(adapters.map((adapter) => adapter.close()));
}
