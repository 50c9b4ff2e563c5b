// The element definition format, version 1: a provider described as data (JSON). This zod schema is the
// one source of truth; the published JSON Schema (element-definition.schema.json beside the definitions)
// is generated from it and checked by format.spec.ts. Placeholders in request templates are `{{…}}`
// (see template.ts); `${date:…}` templates live in the poller URL, rendered per window by the poller.
import { z } from 'zod';

export const DEFINITION_FORMAT_VERSION = 1;

const KEY = /^[a-z][a-z0-9-]{0,39}$/;
const CONFIG_KEY = /^[A-Za-z][A-Za-z0-9._-]{0,99}$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/;

const text = (max: number) => z.string().min(1).max(max);
const configKey = z.string().regex(CONFIG_KEY, 'a configuration key: letters, digits, . _ -');
const headerName = z.string().regex(HEADER_NAME, 'an HTTP header name');
const statusCode = z.number().int().min(100).max(599);
/** A dotted path into a JSON document (`paging.next.after`); `''` is the document itself. */
const jsonPath = z
  .string()
  .max(200)
  .regex(/^$|^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/, 'a dotted path');

const configEntry = z
  .object({
    key: configKey,
    description: text(500),
    secret: z.boolean().default(false),
    required: z.boolean().default(false),
    default: z.string().max(2000).optional(),
    /** Shown in the console's create form as the field's label. */
    label: text(100).optional(),
  })
  .strict();

const oauthCode = z
  .object({
    type: z.literal('oauth2'),
    grant: z.literal('authorization_code'),
    /** May contain `{{config.…}}` placeholders. */
    authorizeUrl: text(1000),
    tokenUrl: text(1000),
    scopes: z.array(text(200)).max(50).default([]),
    scopeSeparator: z.string().max(3).default(' '),
    /** Extra authorize-URL parameters (`access_type: offline`). */
    authorizeParameters: z.record(z.string().max(100), z.string().max(500)).default({}),
    /** How the client authenticates at the token URL: form fields (RFC 6749 §2.3.1 alternative) or basic. */
    clientAuthentication: z.enum(['body', 'basic']).default('body'),
    /**
     * Values of the token response kept with the token and usable as `{{token.<name>}}` (Salesforce's
     * `instance_url`): name → dotted path into the token response.
     */
    tokenValues: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,49}$/), jsonPath).default({}),
    /** Seconds, when the token response has no `expires_in` (Salesforce sends none). */
    defaultExpiresInSeconds: z.number().int().min(60).max(31_536_000).default(3600),
  })
  .strict();

const clientCredentials = z
  .object({
    type: z.literal('oauth2'),
    grant: z.literal('client_credentials'),
    tokenUrl: text(1000),
    scopes: z.array(text(200)).max(50).default([]),
    scopeSeparator: z.string().max(3).default(' '),
    clientAuthentication: z.enum(['body', 'basic']).default('body'),
    tokenValues: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,49}$/), jsonPath).default({}),
    defaultExpiresInSeconds: z.number().int().min(60).max(31_536_000).default(3600),
  })
  .strict();

const apiKey = z
  .object({
    type: z.literal('apiKey'),
    in: z.enum(['header', 'query']),
    /** Header or query parameter name. */
    name: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/),
    /** The configuration key holding the key. */
    configKey,
    /** Put before the key in a header (`Token `). */
    prefix: z.string().max(50).default(''),
  })
  .strict();

const basic = z
  .object({
    type: z.literal('basic'),
    /** Templates over the configuration: Zendesk's API token is `{{config.zendesk.email}}/token`. */
    username: text(200),
    password: text(200),
  })
  .strict();

const bearer = z.object({ type: z.literal('bearer'), configKey }).strict();

export const authenticationSchema = z.discriminatedUnion('type', [
  z.discriminatedUnion('grant', [oauthCode, clientCredentials]),
  apiKey,
  basic,
  bearer,
]);

const pageNumber = z
  .object({
    type: z.literal('pageNumber'),
    parameter: z.string().max(100),
    /** The first page's number. */
    start: z.number().int().min(0).max(1).default(1),
    in: z.enum(['query', 'body']).default('query'),
  })
  .strict();
const offsetLimit = z
  .object({
    type: z.literal('offset'),
    parameter: z.string().max(100),
    in: z.enum(['query', 'body']).default('query'),
  })
  .strict();
const bodyCursor = z
  .object({
    type: z.literal('cursor'),
    /** Where the next cursor is in the response body. */
    cursorPath: jsonPath,
    /** Where the cursor goes in the next request. */
    parameter: z.string().max(100),
    in: z.enum(['query', 'body']).default('query'),
    /** Later pages send the cursor (and page size) instead of the request's own query (Zendesk). */
    cursorOnly: z.boolean().default(false),
  })
  .strict();
const linkHeader = z.object({ type: z.literal('linkHeader') }).strict();
const nextUrl = z
  .object({
    type: z.literal('nextUrl'),
    /** Where the next page's URL (absolute or relative to the base URL) is in the body. */
    path: jsonPath,
  })
  .strict();
const noPaging = z.object({ type: z.literal('none') }).strict();

export const pagingSchema = z.discriminatedUnion('type', [
  pageNumber,
  offsetLimit,
  bodyCursor,
  linkHeader,
  nextUrl,
  noPaging,
]);

const stopSchema = z
  .object({
    /** A page with fewer records than the page size is the last. */
    whenShortPage: z.boolean().default(false),
    /** A body field that is `true` on the last page (Salesforce `done`, Zendesk `end_of_stream`). */
    whenTrue: jsonPath.optional(),
    /** A page without records is the last (always true; stated for readers). */
    whenEmpty: z.boolean().default(true),
  })
  .strict();

/** A JSON value whose strings may hold `{{…}}` placeholders. */
type JsonTemplate = string | number | boolean | null | JsonTemplate[] | { [key: string]: JsonTemplate };
const jsonTemplate: z.ZodType<JsonTemplate> = z.lazy(() =>
  z.union([
    z.string().max(10_000),
    z.number(),
    z.boolean(),
    z.null(),
    z.array(jsonTemplate),
    z.record(z.string(), jsonTemplate),
  ]),
);

const parameterSchema = z
  .object({
    description: text(500),
    required: z.boolean().default(false),
    default: z.string().max(2000).optional(),
    /**
     * A regular expression the whole value must match. Say it for every parameter that lands in a query
     * language (SOQL): the URL is tenant input.
     */
    pattern: z
      .string()
      .max(500)
      .refine((source) => {
        try {
          new RegExp(source);
          return true;
        } catch {
          return false;
        }
      }, 'not a regular expression')
      .optional(),
  })
  .strict();

const dateFormat = text(100);

const resourceSchema = z
  .object({
    description: text(500),
    request: z
      .object({
        method: z.enum(['GET', 'POST']),
        /** Relative to the base URL; `{{config.…}}` and `{{param.…}}` placeholders are URL-encoded. */
        path: text(1000),
        query: z.record(z.string().max(100), z.string().max(10_000)).default({}),
        headers: z.record(headerName, z.string().max(1000)).default({}),
        /** JSON body (POST); a string that is exactly `{{pageSize}}` becomes a number. */
        body: jsonTemplate.optional(),
      })
      .strict(),
    /**
     * The poller URL's query parameters this resource accepts (`since` in
     * `/hubs/crm/accounts?since=${date:…}`): the request templates use them as `{{param.<name>}}`. Any
     * other parameter is a configuration error at POST /instances.
     */
    parameters: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,49}$/), parameterSchema).default({}),
    /** Dotted path to the records array in the response body (`results`, `records`; `''` = the body). */
    records: jsonPath,
    idField: jsonPath.min(1),
    updatedField: jsonPath.min(1),
    updatedFormat: dateFormat,
    createdField: jsonPath.min(1).optional(),
    createdFormat: dateFormat.optional(),
    paging: pagingSchema,
    pageSize: z
      .object({
        parameter: z.string().max(100).optional(),
        in: z.enum(['query', 'body']).default('query'),
        default: z.number().int().min(1).max(10_000),
        max: z.number().int().min(1).max(10_000),
      })
      .strict(),
    stop: stopSchema.default({ whenShortPage: false, whenEmpty: true }),
    /**
     * What the provider guarantees about order: `updated-asc` (records come oldest change first, so a
     * poll window can be walked), or `none`. Informational for the catalog and the docs.
     */
    sort: z.enum(['updated-asc', 'none']),
    /** The default `event.poller.configuration.<resource>` the catalog offers. */
    poller: z
      .object({
        /** `/hubs/<hub>/<resource>?…`, with `${date:…}` templates (@pollcast/date-template). */
        url: text(2000),
      })
      .strict(),
  })
  .strict()
  .superRefine((resource, context) => {
    if (resource.pageSize.default > resource.pageSize.max)
      context.addIssue({
        code: 'custom',
        path: ['pageSize', 'default'],
        message: 'is larger than pageSize.max',
      });
    if ((resource.createdField === undefined) !== (resource.createdFormat === undefined))
      context.addIssue({
        code: 'custom',
        path: [resource.createdField === undefined ? 'createdFormat' : 'createdField'],
        message: 'createdField and createdFormat go together',
      });
    if (resource.request.method === 'GET' && resource.request.body !== undefined)
      context.addIssue({ code: 'custom', path: ['request', 'body'], message: 'a GET request has no body' });
  });

const statusesSchema = z
  .object({
    /** The token was refused: refresh it (OAuth) and retry once. */
    refresh: z.array(statusCode).max(20).default([401]),
    /** Slow down: wait Retry-After (or the reset header) and retry. */
    rateLimited: z.array(statusCode).max(20).default([429]),
    /** Transient: retry with backoff. */
    retry: z.array(statusCode).max(50).default([408, 500, 502, 503, 504]),
    /** Anything else that is not 2xx gives up (the poll fails with the provider's message). */
  })
  .strict();

const rateLimitSchema = z
  .object({
    /** `Retry-After` (seconds or HTTP date) on any status that carries it. */
    retryAfterHeader: headerName.default('retry-after'),
    /** When this header says 0 on an error answer, the reset header says when to try again. */
    remainingHeader: headerName.optional(),
    resetHeader: headerName.optional(),
    /** `epochSeconds` (GitHub `x-ratelimit-reset`) or `seconds` (from now). */
    resetFormat: z.enum(['epochSeconds', 'seconds']).default('epochSeconds'),
  })
  .strict();

export const elementDefinitionSchema = z
  .object({
    $schema: z.string().max(500).optional(),
    formatVersion: z.literal(DEFINITION_FORMAT_VERSION),
    key: z.string().regex(KEY, 'lower-case letters, digits and -, starting with a letter'),
    name: text(100),
    /** The `/hubs/<hub>/…` this element serves. */
    hub: z.string().regex(KEY, 'lower-case letters, digits and -'),
    description: text(1000).optional(),
    /** Provider base URL; may contain `{{config.…}}` and `{{token.…}}` placeholders. */
    baseUrl: text(1000),
    /** The provider's own hosts (outbound-guard patterns); operators add others. */
    providerHosts: z.array(text(300)).min(1).max(20),
    configuration: z.array(configEntry).max(50).default([]),
    authentication: authenticationSchema,
    /** Headers sent with every API request (`Accept`, an API version). */
    headers: z.record(headerName, z.string().max(1000)).default({}),
    statuses: statusesSchema.default({
      refresh: [401],
      rateLimited: [429],
      retry: [408, 500, 502, 503, 504],
    }),
    rateLimit: rateLimitSchema.default({ retryAfterHeader: 'retry-after', resetFormat: 'epochSeconds' }),
    defaultRefreshIntervalMinutes: z.number().int().min(1).max(1440).default(15),
    resources: z
      .record(z.string().regex(KEY, 'lower-case letters, digits and -'), resourceSchema)
      .refine((resources) => Object.keys(resources).length > 0, 'at least one resource'),
  })
  .strict()
  .superRefine((definition, context) => {
    const keys = new Set<string>();
    definition.configuration.forEach((entry, index) => {
      if (keys.has(entry.key))
        context.addIssue({
          code: 'custom',
          path: ['configuration', index, 'key'],
          message: `'${entry.key}' is declared twice`,
        });
      keys.add(entry.key);
      // The platform masks configuration values by key name (config-schema's isSecretConfigKey): a secret
      // whose name does not say so would be echoed in answers and carried in snapshots.
      if (entry.secret && !/secret|password|token/i.test(entry.key))
        context.addIssue({
          code: 'custom',
          path: ['configuration', index, 'key'],
          message: 'a secret key must have secret, password or token in its name (that is how it is masked)',
        });
      if (!entry.secret && /secret|password|token/i.test(entry.key))
        context.addIssue({
          code: 'custom',
          path: ['configuration', index, 'secret'],
          message: 'must be true: the platform masks keys with secret, password or token in their name',
        });
    });
    const auth = definition.authentication;
    const referenced =
      auth.type === 'apiKey' || auth.type === 'bearer'
        ? [['authentication', 'configKey', auth.configKey]]
        : [];
    for (const [, field, key] of referenced) {
      if (key !== undefined && !keys.has(key))
        context.addIssue({
          code: 'custom',
          path: ['authentication', field ?? 'configKey'],
          message: `names '${key}', which is not in configuration`,
        });
    }
    for (const [name, resource] of Object.entries(definition.resources)) {
      if (!resource.poller.url.startsWith(`/hubs/${definition.hub}/${name}`))
        context.addIssue({
          code: 'custom',
          path: ['resources', name, 'poller', 'url'],
          message: `must start with /hubs/${definition.hub}/${name}`,
        });
    }
  });

export type ElementDefinitionDocument = z.infer<typeof elementDefinitionSchema>;
export type DeclarativeResource = ElementDefinitionDocument['resources'][string];
export type DeclarativeAuthentication = ElementDefinitionDocument['authentication'];
export type DeclarativePaging = DeclarativeResource['paging'];

/** The published JSON Schema of the format (what editors validate definition files with). */
export function definitionJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(elementDefinitionSchema, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://pollcast.dev/schemas/element-definition-v1.json',
    title: 'Pollcast element definition (format version 1)',
  };
}
