// The element catalog: the one place that lists elements. Adding an element = a new folder
// exporting a factory, plus one line here.
import type { OutboundResolver } from '@pollcast/outbound-guard';
import type { HttpTimeouts } from './http';
import { createMaximizerAdapter } from './maximizer';
import type { ElementAdapter } from './types';

/** What every element factory accepts. */
export interface ElementAdapterOptions {
  /** Defaults: connect 5 s, total 30 s. */
  readonly timeouts?: Partial<HttpTimeouts>;
  /** Clock for token expiry and Retry-After dates (tests). */
  readonly now?: () => number;
  /** Where provider calls may go besides the element's own hosts, and name resolution (tests). */
  readonly outbound?: ElementOutboundOptions;
}

export interface ElementOutboundOptions {
  /** Operator allow-list (POLLCAST_PROVIDER_ALLOWED_HOSTS): host patterns added to the element's own. */
  readonly allowedHosts?: readonly string[];
  readonly resolve?: OutboundResolver;
}

const ELEMENT_FACTORIES: Readonly<Record<string, (options: ElementAdapterOptions) => ElementAdapter>> = {
  maximizer: (options) => createMaximizerAdapter(options),
};

// Shared instances: each holds keep-alive pools, so one per process, created on first use.
const sharedAdapters = new Map<string, ElementAdapter>();

/** The element with this key (shared instance, default timeouts), or undefined. */
export function getElement(key: string): ElementAdapter | undefined {
  const existing = sharedAdapters.get(key);
  if (existing !== undefined) return existing;
  const factory = Object.hasOwn(ELEMENT_FACTORIES, key) ? ELEMENT_FACTORIES[key] : undefined;
  if (factory === undefined) return undefined;
  const adapter = factory({});
  sharedAdapters.set(key, adapter);
  return adapter;
}

/**
 * A private instance with its own connections and options (e.g. other timeouts). The caller owns
 * it and closes it. Throws UnknownElementError.
 */
export function createElement(key: string, options: ElementAdapterOptions = {}): ElementAdapter {
  const factory = Object.hasOwn(ELEMENT_FACTORIES, key) ? ELEMENT_FACTORIES[key] : undefined;
  if (factory === undefined) throw new UnknownElementError(key);
  return factory(options);
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
