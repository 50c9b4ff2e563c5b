// Reading definition files: JSON → the checked format, with every mistake named by its path
// (`github/element.json: resources.issues.paging.type: …`), plus the checks zod cannot express
// (placeholders that name undeclared configuration keys, parameters or token values; poller URLs whose
// date templates cannot render).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { compileUrlTemplate, DateTemplateError } from '@pollcast/date-template';
import type { z } from 'zod';
import { elementDefinitionSchema, type ElementDefinitionDocument } from './format';
import { placeholdersOf, templateStrings, TemplateReferenceError, type PlaceholderSource } from './template';

export interface DefinitionProblem {
  /** Dotted path into the definition (`resources.issues.paging.type`); `''` for the whole file. */
  readonly path: string;
  readonly message: string;
}

/** A definition that cannot be used, with every problem found and where. */
export class DefinitionError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly DefinitionProblem[],
  ) {
    super(
      `${source}: ${problems
        .slice(0, 20)
        .map((problem) => (problem.path === '' ? problem.message : `${problem.path}: ${problem.message}`))
        .join('; ')}`,
    );
    this.name = 'DefinitionError';
  }
}

function dotted(path: readonly PropertyKey[]): string {
  return path.map((segment) => String(segment)).join('.');
}

function zodProblems(error: z.ZodError): DefinitionProblem[] {
  return error.issues.map((issue) => ({ path: dotted(issue.path), message: issue.message }));
}

/** Placeholders each template may use. */
function referenceProblems(definition: ElementDefinitionDocument): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  const configKeys = new Set(definition.configuration.map((entry) => entry.key));
  const auth = definition.authentication;
  const tokenValues = new Set(auth.type === 'oauth2' ? Object.keys(auth.tokenValues) : []);

  const check = (
    text: string,
    path: (string | number)[],
    allowed: readonly PlaceholderSource[],
    parameters: ReadonlySet<string> = new Set(),
  ): void => {
    let placeholders;
    try {
      placeholders = placeholdersOf(text);
    } catch (error) {
      if (!(error instanceof TemplateReferenceError)) throw error;
      problems.push({ path: dotted(path), message: error.message });
      return;
    }
    for (const placeholder of placeholders) {
      const shown =
        placeholder.source === 'pageSize' ? '{{pageSize}}' : `{{${placeholder.source}.${placeholder.name}}}`;
      if (!allowed.includes(placeholder.source)) {
        problems.push({ path: dotted(path), message: `${shown} cannot be used here` });
      } else if (placeholder.source === 'config' && !configKeys.has(placeholder.name)) {
        problems.push({ path: dotted(path), message: `${shown} names a key that is not in configuration` });
      } else if (placeholder.source === 'param' && !parameters.has(placeholder.name)) {
        problems.push({
          path: dotted(path),
          message: `${shown} names a parameter the resource does not declare`,
        });
      } else if (placeholder.source === 'token' && !tokenValues.has(placeholder.name)) {
        problems.push({
          path: dotted(path),
          message: `${shown} names a value authentication.tokenValues does not declare`,
        });
      }
    }
  };

  check(definition.baseUrl, ['baseUrl'], ['config', 'token']);
  if (auth.type === 'oauth2') {
    check(auth.tokenUrl, ['authentication', 'tokenUrl'], ['config']);
    if (auth.grant === 'authorization_code')
      check(auth.authorizeUrl, ['authentication', 'authorizeUrl'], ['config']);
  }
  if (auth.type === 'basic') {
    check(auth.username, ['authentication', 'username'], ['config']);
    check(auth.password, ['authentication', 'password'], ['config']);
  }
  for (const [name, value] of Object.entries(definition.headers)) check(value, ['headers', name], ['config']);
  for (const [resourceName, resource] of Object.entries(definition.resources)) {
    const base = ['resources', resourceName];
    const parameters = new Set(Object.keys(resource.parameters));
    const all: PlaceholderSource[] = ['config', 'param', 'token', 'pageSize'];
    check(resource.request.path, [...base, 'request', 'path'], all, parameters);
    for (const [name, value] of Object.entries(resource.request.query))
      check(value, [...base, 'request', 'query', name], all, parameters);
    for (const [name, value] of Object.entries(resource.request.headers))
      check(value, [...base, 'request', 'headers', name], all, parameters);
    for (const entry of templateStrings(resource.request.body, [...base, 'request', 'body']))
      check(entry.text, entry.path, all, parameters);
    try {
      compileUrlTemplate(resource.poller.url);
    } catch (error) {
      if (!(error instanceof DateTemplateError)) throw error;
      problems.push({ path: dotted([...base, 'poller', 'url']), message: error.message });
    }
    const pollerQuery = resource.poller.url.split('?')[1] ?? '';
    for (const part of pollerQuery.split('&')) {
      const name = part.split('=')[0] ?? '';
      if (name !== '' && !parameters.has(name))
        problems.push({
          path: dotted([...base, 'poller', 'url']),
          message: `parameter '${name}' is not declared in resources.${resourceName}.parameters`,
        });
    }
    if (
      (resource.paging.type === 'pageNumber' || resource.paging.type === 'offset') &&
      resource.pageSize.parameter === undefined
    )
      problems.push({
        path: dotted([...base, 'pageSize', 'parameter']),
        message: `is required with ${resource.paging.type} paging`,
      });
  }
  return problems;
}

/** A definition from its JSON text. Throws DefinitionError naming the path of every mistake. */
export function parseElementDefinition(text: string, source: string): ElementDefinitionDocument {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DefinitionError(source, [
      { path: '', message: `not JSON: ${error instanceof Error ? error.message : String(error)}` },
    ]);
  }
  const parsed = elementDefinitionSchema.safeParse(json);
  if (!parsed.success) throw new DefinitionError(source, zodProblems(parsed.error));
  const problems = referenceProblems(parsed.data);
  if (problems.length > 0) throw new DefinitionError(source, problems);
  return parsed.data;
}

/**
 * Definition files of a folder: `<name>.json` in it and `<name>/element.json` one level down. Symbolic
 * links are followed and names starting with `.` skipped: a Kubernetes ConfigMap volume holds each key
 * as a link (`github.json -> ..data/github.json`) beside its hidden `..data` and timestamped folders.
 */
export function definitionFilesIn(folder: string): string[] {
  const files: string[] = [];
  const kindOf = (path: string): 'file' | 'folder' | undefined => {
    try {
      const stat = statSync(path); // follows links
      return stat.isFile() ? 'file' : stat.isDirectory() ? 'folder' : undefined;
    } catch {
      return undefined; // a dangling link
    }
  };
  for (const name of readdirSync(folder).sort((a, b) => a.localeCompare(b))) {
    if (name.startsWith('.')) continue;
    const path = join(folder, name);
    const kind = kindOf(path);
    if (kind === 'file' && name.endsWith('.json') && !name.endsWith('.schema.json')) files.push(path);
    // A folder without a definition (e.g. documentation only) is not one.
    if (kind === 'folder' && kindOf(join(path, 'element.json')) === 'file')
      files.push(join(path, 'element.json'));
  }
  return files;
}

/** Every definition of a folder; the first bad file throws DefinitionError (a start must fail loudly). */
export function loadDefinitionsFrom(folder: string): ElementDefinitionDocument[] {
  const definitions = definitionFilesIn(folder).map((file) =>
    parseElementDefinition(readFileSync(file, 'utf8'), file),
  );
  const seen = new Map<string, string>();
  definitionFilesIn(folder).forEach((file, index) => {
    const key = definitions[index]?.key ?? '';
    const other = seen.get(key);
    if (other !== undefined)
      throw new DefinitionError(file, [{ path: 'key', message: `'${key}' is also defined by ${other}` }]);
    seen.set(key, file);
  });
  return definitions;
}
