// The element catalog: the one place that lists elements. Maximizer is code (a folder exporting a
// factory, one line here); every other element is a definition file (src/definitions/<key>/element.json,
// plus the operator's folder given to registerElementDefinitionsFrom) run by the declarative engine.
import { join, resolve } from 'node:path';
import type { OutboundResolver } from '@pollcast/outbound-guard';
import { createDeclarativeAdapter } from './declarative/engine';
import type { ElementDefinitionDocument } from './declarative/format';
import { DefinitionError, loadDefinitionsFrom } from './declarative/load';
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

type ElementFactory = (options: ElementAdapterOptions) => ElementAdapter;

const CODE_ELEMENTS: Readonly<Record<string, ElementFactory>> = {
  maximizer: (options) => createMaximizerAdapter(options),
};

/** The definitions shipped with Pollcast (copied next to the build by swc's --copy-files). */
export const BUILT_IN_DEFINITIONS_FOLDER = join(__dirname, 'definitions');

const ELEMENT_FACTORIES: Record<string, ElementFactory> = { ...CODE_ELEMENTS };
let builtInsLoaded = false;

function declarativeFactory(definition: ElementDefinitionDocument): ElementFactory {
  return (options) => createDeclarativeAdapter(definition, options);
}

function addDefinitions(definitions: readonly ElementDefinitionDocument[], source: string): void {
  for (const definition of definitions) {
    if (Object.hasOwn(ELEMENT_FACTORIES, definition.key))
      throw new DefinitionError(source, [
        { path: 'key', message: `element '${definition.key}' is already in the catalog` },
      ]);
  }
  for (const definition of definitions) ELEMENT_FACTORIES[definition.key] = declarativeFactory(definition);
}

/** Loaded on first use, so importing the lib reads no files; a broken built-in fails the first lookup. */
function factories(): Record<string, ElementFactory> {
  if (!builtInsLoaded) {
    builtInsLoaded = true;
    addDefinitions(loadDefinitionsFrom(BUILT_IN_DEFINITIONS_FOLDER), BUILT_IN_DEFINITIONS_FOLDER);
  }
  return ELEMENT_FACTORIES;
}

/**
 * Adds the definitions of an operator's folder (POLLCAST_ELEMENTS_DIR) to the catalog; call once at
 * start (a second call with the same folder does nothing). Throws DefinitionError naming the file and
 * the path of every mistake, or a key that is taken. Returns the folder's keys.
 */
export function registerElementDefinitionsFrom(folder: string): string[] {
  factories();
  const resolved = resolve(folder);
  const known = registeredFolders.get(resolved);
  // Every component of a process that calls providers registers the same folder at its start.
  if (known !== undefined) return known;
  const definitions = loadDefinitionsFrom(resolved);
  addDefinitions(definitions, resolved);
  const keys = definitions.map((definition) => definition.key);
  registeredFolders.set(resolved, keys);
  return keys;
}

const registeredFolders = new Map<string, string[]>();

// Shared instances: each holds keep-alive pools, so one per process, created on first use.
const sharedAdapters = new Map<string, ElementAdapter>();

/** The element with this key (shared instance, default timeouts), or undefined. */
export function getElement(key: string): ElementAdapter | undefined {
  const existing = sharedAdapters.get(key);
  if (existing !== undefined) return existing;
  const all = factories();
  const factory = Object.hasOwn(all, key) ? all[key] : undefined;
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
  const all = factories();
  const factory = Object.hasOwn(all, key) ? all[key] : undefined;
  if (factory === undefined) throw new UnknownElementError(key);
  return factory(options);
}

export class UnknownElementError extends Error {
  constructor(readonly elementKey: string) {
    super(`Unknown element '${elementKey}'; known elements: ${Object.keys(factories()).join(', ')}`);
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
  return Object.keys(factories()).map(requireElement);
}

/** Close the shared adapters' connections (service shutdown, end of tests). */
export async function closeElements(): Promise<void> {
  const adapters = [...sharedAdapters.values()];
  sharedAdapters.clear();
  await Promise.all(adapters.map((adapter) => adapter.close()));
}
