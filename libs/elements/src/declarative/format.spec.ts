import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILT_IN_DEFINITIONS_FOLDER } from '../catalog';
import { definitionJsonSchema } from './format';
import { DefinitionError, definitionFilesIn, loadDefinitionsFrom, parseElementDefinition } from './load';

const SCHEMA_FILE = join(BUILT_IN_DEFINITIONS_FOLDER, 'element-definition.schema.json');

function githubText(): string {
  return readFileSync(join(BUILT_IN_DEFINITIONS_FOLDER, 'github', 'element.json'), 'utf8');
}

type Json = Record<string, unknown>;

/** The object at a dotted path of the definition (to edit in place). */
function at(definition: Json, path: string): Json {
  return path.split('.').reduce<Json>((node, segment) => node[segment] as Json, definition);
}

function mistake(edit: (definition: Json) => void): DefinitionError {
  const definition = JSON.parse(githubText()) as Json;
  edit(definition);
  try {
    parseElementDefinition(JSON.stringify(definition), 'github/element.json');
  } catch (error) {
    if (error instanceof DefinitionError) return error;
    throw error;
  }
  throw new Error('the definition loaded');
}

describe('element definition format', () => {
  it('publishes the JSON Schema generated from the zod schema (UPDATE_SCHEMA=1 rewrites it)', () => {
    // Compared as JSON: the file is formatted by prettier.
    const generated = definitionJsonSchema();
    if (process.env['UPDATE_SCHEMA'] === '1')
      writeFileSync(SCHEMA_FILE, `${JSON.stringify(generated, null, 2)}\n`);
    expect(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'))).toEqual(generated);
  });

  it('loads every built-in definition', () => {
    const keys = loadDefinitionsFrom(BUILT_IN_DEFINITIONS_FOLDER).map((definition) => definition.key);
    expect(keys).toEqual(['github', 'hubspot', 'salesforce', 'zendesk']);
    expect(definitionFilesIn(BUILT_IN_DEFINITIONS_FOLDER).some((file) => file.endsWith('.schema.json'))).toBe(
      false,
    );
  });

  it('reads a folder laid out as a Kubernetes ConfigMap volume (links, hidden folders)', () => {
    // What the kubelet writes for a ConfigMap with the keys acme.json and README.md.
    const folder = mkdtempSync(join(tmpdir(), 'elements-configmap-'));
    try {
      const version = join(folder, '..2026_12_01_22_00_00.123456789');
      mkdirSync(version);
      const acme = JSON.parse(githubText()) as Json;
      acme['key'] = 'acme';
      writeFileSync(join(version, 'acme.json'), JSON.stringify(acme));
      writeFileSync(join(version, 'README.md'), 'not a definition');
      symlinkSync('..2026_12_01_22_00_00.123456789', join(folder, '..data'));
      symlinkSync(join('..data', 'acme.json'), join(folder, 'acme.json'));
      symlinkSync(join('..data', 'README.md'), join(folder, 'README.md'));
      symlinkSync('missing.json', join(folder, 'dangling.json'));
      expect(definitionFilesIn(folder)).toEqual([join(folder, 'acme.json')]);
      expect(loadDefinitionsFrom(folder).map((definition) => definition.key)).toEqual(['acme']);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('names the path of a wrong value', () => {
    const error = mistake((definition) => {
      at(definition, 'resources.issues')['paging'] = { type: 'pages' };
    });
    expect(error.message).toMatch(/^github\/element\.json: resources\.issues\.paging/);
    expect(error.problems).toEqual([
      {
        path: 'resources.issues.paging.type',
        message: expect.stringContaining(
          "Expected 'pageNumber' | 'offset' | 'cursor' | 'linkHeader' | 'nextUrl' | 'none'",
        ),
      },
    ]);
  });

  it('names an unknown property and a missing one', () => {
    const error = mistake((definition) => {
      at(definition, 'resources.issues')['recordz'] = '';
      delete at(definition, 'resources.issues')['records'];
    });
    const paths = error.problems.map((problem) => problem.path);
    expect(paths).toEqual(expect.arrayContaining(['resources.issues.records', 'resources.issues']));
    expect(error.message).toContain('recordz');
  });

  it('names a placeholder that refers to an undeclared configuration key, parameter or token value', () => {
    const error = mistake((definition) => {
      at(definition, 'resources.issues.request')['path'] =
        '/repos/{{config.github.org}}/{{param.repo}}/issues';
      definition['baseUrl'] = '{{token.instance_url}}';
    });
    expect(error.problems).toEqual(
      expect.arrayContaining([
        {
          path: 'resources.issues.request.path',
          message: '{{config.github.org}} names a key that is not in configuration',
        },
        {
          path: 'resources.issues.request.path',
          message: '{{param.repo}} names a parameter the resource does not declare',
        },
        {
          path: 'baseUrl',
          message: '{{token.instance_url}} names a value authentication.tokenValues does not declare',
        },
      ]),
    );
  });

  it('names a poller URL whose date template cannot render or whose parameter is undeclared', () => {
    const error = mistake((definition) => {
      at(definition, 'resources.issues.poller')['url'] = '/hubs/code/issues?since=${date:yyyy-QQ}&x=1';
    });
    expect(error.problems.map((problem) => problem.path)).toEqual([
      'resources.issues.poller.url',
      'resources.issues.poller.url',
    ]);
    expect(error.problems[1]?.message).toContain("parameter 'x' is not declared");
  });

  it('refuses a version it does not know, and text that is not JSON', () => {
    expect(mistake((definition) => (definition['formatVersion'] = 2)).problems[0]?.path).toBe(
      'formatVersion',
    );
    expect(() => parseElementDefinition('{"key": ', 'broken.json')).toThrow(/^broken\.json: not JSON/);
  });

  it('refuses an authentication that names an undeclared key', () => {
    const error = mistake(
      (definition) => (definition['authentication'] = { type: 'bearer', configKey: 'github.pat' }),
    );
    expect(error.problems).toEqual([
      { path: 'authentication.configKey', message: "names 'github.pat', which is not in configuration" },
    ]);
  });

  it('refuses a secret whose name would not be masked', () => {
    const error = mistake((definition) => {
      at(definition, 'configuration.0')['key'] = 'github.pat';
      at(definition, 'authentication')['configKey'] = 'github.pat';
    });
    expect(error.problems).toEqual([
      {
        path: 'configuration.0.key',
        message: 'a secret key must have secret, password or token in its name (that is how it is masked)',
      },
    ]);
  });
});
