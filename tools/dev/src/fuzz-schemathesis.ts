// schemathesis for `npm run test:fuzz`: the pinned install, the checks and why, the per-run config and
// the report's totals. fuzz.ts starts the platform and runs it per service.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePipTool } from './cached-tools';
import { REPO_ROOT } from './infra';

const log = (line: string) => process.stdout.write(`[fuzz] ${line}\n`);

/** The schemathesis the fuzz runs: pinned, installed once per clone into a venv under .cache/. */
export const SCHEMATHESIS_VERSION = '4.32.5';
export const SCHEMATHESIS = join(REPO_ROOT, '.cache', 'schemathesis', 'bin', 'schemathesis');

/**
 * The checks every case must pass: no 5xx, and every answer as the document declares it (status, body,
 * content type, headers). Of the negative-data and authentication checks:
 * - negative_data_rejection (a request the document calls invalid must get a 4xx), ignored_auth (a
 *   request without or with wrong credentials must be refused) and missing_required_header are on:
 *   the APIs validate every input they declare, and the fuzz holds them to it.
 * - positive_data_acceptance stays off: it wants a 2xx for every request the document calls valid, but
 *   most of them name instances or events that do not exist (404) or carry a grant code the provider
 *   refuses (400) — correct answers, not faults.
 * - unsupported_method stays off: it wants 405 for methods a path does not declare, and these APIs
 *   answer 404 there, as Open Connectors does.
 */
export const FUZZ_CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_headers_conformance',
  'response_schema_conformance',
  'negative_data_rejection',
  'ignored_auth',
  'missing_required_header',
];

/** What counts as rejecting invalid data: schemathesis 4.32's default list, plus 413 (a body over the
 * services' size limit is refused, as it should be, before it is validated). */
const NEGATIVE_DATA_STATUSES = [
  '400',
  '401',
  '403',
  '404',
  '405',
  '406',
  '409',
  '413',
  '415',
  '422',
  '428',
  '429',
  '5xx',
];

/** Every check schemathesis 4.32 knows (max_response_time is off unless given a limit); those not in
 * FUZZ_CHECKS are switched off explicitly. */
const ALL_CHECKS = [
  ...FUZZ_CHECKS,
  'positive_data_acceptance',
  'unsupported_method',
  'allow_header_conformance',
  'use_after_free',
  'ensure_resource_availability',
  'object_level_authorization',
];

/** Installs schemathesis into .cache/schemathesis unless that exact version is there already. */
export function ensureSchemathesis(): void {
  ensurePipTool('schemathesis', 'schemathesis', SCHEMATHESIS_VERSION, 'schemathesis', log);
}

/** Options shared by the three runs; a per-run config file binds path parameters to the real
 * instance half of the time, so authenticated routes get past their 404 and reach their logic. */
export function schemathesisConfig(instanceId: string, doomedInstanceId: string, eventIds: string[]): string {
  return [
    '# Written by `npm run test:fuzz` (tools/dev/src/fuzz.ts) for one run.',
    '[generation]',
    'mode = "all"',
    '# Every run starts from its seed alone: no example database, no state carried between runs.',
    'database = "none"',
    '',
    '[cache]',
    'enabled = false',
    '',
    '[checks]',
    ...ALL_CHECKS.map((check) => `${check}.enabled = ${FUZZ_CHECKS.includes(check)}`),
    '# A body over the size limit is refused before it is read: 413 Content Too Large, the right answer',
    "# to invalid data too (schemathesis' default list leaves 413 out; seed 433249 sent such a body).",
    `negative_data_rejection.expected-statuses = [${NEGATIVE_DATA_STATUSES.map((status) => JSON.stringify(status)).join(', ')}]`,
    '',
    '[dictionaries]',
    `instances = { values = ["${instanceId}"] }`,
    `doomed = { values = ["${doomedInstanceId}"] }`,
    'resources = { values = ["contacts", "companies"] }',
    'configKeys = { values = ["event.poller.refresh_interval", "event.notification.enabled", "maximizer.alias", "104201373332445"] }',
    'elements = { values = ["maximizer"] }',
    `events = { values = [${eventIds.map((id) => JSON.stringify(id)).join(', ')}] }`,
    '',
    '[parameters]',
    '"path.id" = { dictionary = "instances", probability = 0.5 }',
    '"path.resource" = { dictionary = "resources", probability = 0.5 }',
    '"path.configId" = { dictionary = "configKeys", probability = 0.5 }',
    '"path.key" = { dictionary = "elements", probability = 0.5 }',
    '"path.eventId" = { dictionary = "events", probability = 0.5 }',
    '',
    '# `tags[]` is an array in the query: on the wire every value is text, so the type mutations of',
    '# negative_data_rejection (an integer, an object for pageSize) arrive as valid text — false alarms.',
    '[[operations]]',
    'include-path = "/elements/api-v2/instances"',
    'include-method = "GET"',
    'checks = { negative_data_rejection = { enabled = false } }',
    '',
    '# Deleting is tried on an instance of its own: the others keep theirs for the whole run.',
    '[[operations]]',
    'include-path = "/elements/api-v2/instances/{id}"',
    'include-method = "DELETE"',
    'parameters = { "path.id" = { dictionary = "doomed", probability = 0.5 } }',
    '',
  ].join('\n');
}

/** The JSON run report's totals (schemathesis --report json). */
export function readReport(file: string): {
  operations: number;
  cases: number;
  failures: number;
  errors: number;
} {
  const report = JSON.parse(readFileSync(file, 'utf8')) as {
    operations?: { tested?: number };
    test_cases?: { generated?: number; unique_failures?: number; errored?: number };
    failures?: unknown[];
    errors?: unknown[];
  };
  return {
    operations: report.operations?.tested ?? 0,
    cases: report.test_cases?.generated ?? 0,
    failures: Math.max(report.test_cases?.unique_failures ?? 0, report.failures?.length ?? 0),
    errors: Math.max(report.test_cases?.errored ?? 0, report.errors?.length ?? 0),
  };
}
