import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { buildAll } from './build';
import { PROFILES, REPO_ROOT, startInfra, type Infra } from './infra';
import { ensureDatabase } from './local-postgres';
import { platformProcesses, type PORTS } from './platform';
import { startProcess, type ProcessSpec, type SupervisedProcess } from './processes';
import { authorizationHeader, generateSecrets } from './secrets';

const log = (line: string) => process.stdout.write(`[fuzz] ${line}\n`);

/** The schemathesis the fuzz runs: pinned, installed once per clone into a venv under .cache/. */
export const SCHEMATHESIS_VERSION = '4.32.5';
const VENV = join(REPO_ROOT, '.cache', 'schemathesis');
const SCHEMATHESIS = join(VENV, 'bin', 'schemathesis');

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

interface FuzzTarget {
  service: 'instance-service' | 'poller-service' | 'dispatcher';
  url: string;
}

interface FuzzResult {
  service: string;
  operations: number;
  cases: number;
  failures: number;
  errors: number;
  seconds: number;
  exitCode: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Installs schemathesis into .cache/schemathesis unless that exact version is there already. */
export function ensureSchemathesis(): void {
  if (existsSync(SCHEMATHESIS)) {
    const version = spawnSync(SCHEMATHESIS, ['--version'], { encoding: 'utf8' });
    if (version.status === 0 && version.stdout.includes(SCHEMATHESIS_VERSION)) return;
  }
  log(`installing schemathesis ${SCHEMATHESIS_VERSION} into ${VENV.replace(`${REPO_ROOT}/`, '')}…`);
  rmSync(VENV, { recursive: true, force: true });
  for (const [command, args] of [
    ['python3', ['-m', 'venv', VENV]],
    [
      join(VENV, 'bin', 'pip'),
      ['install', '--quiet', '--disable-pip-version-check', `schemathesis==${SCHEMATHESIS_VERSION}`],
    ],
  ] as const) {
    const result = spawnSync(command, [...args], { stdio: 'inherit' });
    if (result.status !== 0) {
      throw new Error(
        `${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal}); Python 3.9+ with venv and pip is needed`,
      );
    }
  }
}

/** Walks the simulator's authorize step (`auto=1`) and creates a Maximizer instance as a tenant would. */
async function createFuzzInstance(
  instanceServiceUrl: string,
  simUrl: string,
  sinkUrl: string,
  authorization: string,
  name: string,
): Promise<string> {
  const redirectUri = 'https://mycoolapp.com/oauth/callback';
  const authorize = new URL('/OAuth2/default/Authorize', simUrl);
  authorize.search = new URLSearchParams({
    scope: 'data',
    response_type: 'code',
    redirect_uri: redirectUri,
    state: 'maximizer',
    client_id: 'pollcast-dev',
    auto: '1',
  }).toString();
  const granted = await fetch(authorize, { redirect: 'manual' });
  const code = new URL(granted.headers.get('location') ?? 'http://x/').searchParams.get('code');
  if (!code) throw new Error(`the simulator's authorize step answered ${granted.status} without a code`);
  const response = await fetch(`${instanceServiceUrl}/elements/api-v2/instances`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify({
      element: { key: 'maximizer' },
      providerData: { code },
      name,
      tags: ['fuzz'],
      configuration: {
        'oauth.callback.url': redirectUri,
        'oauth.api.key': 'pollcast-dev',
        'oauth.api.secret': 'pollcast-dev-secret',
        'event.notification.enabled': true,
        'event.notification.callback.url': `${sinkUrl}/hooks/fuzz`,
        'event.poller.refresh_interval': '60',
        'event.poller.configuration': { contacts: {}, companies: {} },
      },
    }),
  });
  const text = await response.text();
  if (response.status !== 200)
    throw new Error(`creating the fuzz instance answered ${response.status}: ${text}`);
  return String((JSON.parse(text) as { id: number | string }).id);
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 60000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Records in the simulator, a poll now, and the events they become: event routes then have real ids. */
async function produceEvents(
  simUrl: string,
  pollerUrl: string,
  dispatcherUrl: string,
  instanceId: string,
  authorization: string,
): Promise<string[]> {
  for (const name of ['Fuzz Ltd', 'Ünïcode & Co. 😀']) {
    const created = await fetch(`${simUrl}/_sim/records/AbEntry`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ Type: 'Company', CompanyName: name }),
    });
    if (created.status >= 300)
      throw new Error(`the simulator refused a record: ${created.status} ${await created.text()}`);
  }
  const api = `/elements/api-v2/instances/${instanceId}`;
  let eventIds: string[] = [];
  await waitUntil(
    'the first events to reach the dispatcher',
    async () => {
      const polled = await fetch(`${pollerUrl}${api}/polls`, { method: 'POST', headers: { authorization } });
      await polled.body?.cancel();
      const events = await fetch(`${dispatcherUrl}${api}/events`, { headers: { authorization } });
      eventIds = ((await events.json()) as { id: string }[]).map((event) => event.id);
      return eventIds.length >= 2;
    },
    90000,
  );
  return eventIds;
}

/** Options shared by the three runs; a per-run config file binds path parameters to the real
 * instance half of the time, so authenticated routes get past their 404 and reach their logic. */
function schemathesisConfig(instanceId: string, doomedInstanceId: string, eventIds: string[]): string {
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
function readReport(file: string): { operations: number; cases: number; failures: number; errors: number } {
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

async function fuzzOne(
  target: FuzzTarget,
  options: {
    checks: string[] | undefined;
    authorization: string;
    casesPerOperation: number;
    configFile: string;
    reportDir: string;
    seed: number;
  },
): Promise<FuzzResult> {
  const began = Date.now();
  const reportFile = join(options.reportDir, `${target.service}.json`);
  rmSync(reportFile, { force: true });
  const args = [
    '--config-file',
    options.configFile,
    'run',
    `${target.url}/docs-json`,
    '--url',
    target.url,
    '--include-path-regex',
    '^/elements/api-v2/',
    // Which checks run is in the config file (per operation where needed); --checks overrides it.
    ...(options.checks === undefined ? [] : ['--checks', options.checks.join(',')]),
    '--phases',
    'examples,coverage,fuzzing',
    '--max-examples',
    String(options.casesPerOperation),
    '--seed',
    String(options.seed),
    // One worker: Python 3.11's parser is not thread-safe where Hypothesis describes its strategies
    // ("AST constructor recursion depth mismatch" with two), and one worker keeps a seed reproducible.
    '--workers',
    '1',
    '--request-timeout',
    '20',
    '--header',
    `Authorization: ${options.authorization}`,
    '--continue-on-failure',
    '--suppress-health-check',
    'all',
    '--report',
    'json,vcr',
    '--report-json-path',
    reportFile,
    '--report-vcr-path',
    join(options.reportDir, `${target.service}.cassette.yaml`),
    '--output-sanitize',
    'true',
    '--no-color',
  ];
  log(
    `${target.service}: schemathesis against ${target.url}/docs-json (${options.casesPerOperation} examples per operation)`,
  );
  const exitCode = await new Promise<number>((resolve) => {
    // Its own working directory: Hypothesis leaves a .hypothesis folder there.
    const child = spawn(SCHEMATHESIS, args, { cwd: options.reportDir, stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
  const totals = existsSync(reportFile)
    ? readReport(reportFile)
    : { operations: 0, cases: 0, failures: 0, errors: 1 };
  return { service: target.service, ...totals, seconds: (Date.now() - began) / 1000, exitCode };
}

/**
 * `npm run test:fuzz`: an OpenAPI-driven fuzz (schemathesis) of the three public APIs on the real
 * stack — Kafka, PostgreSQL (started like `npm test` does, or KAFKA_BROKERS / DATABASE_URL), the
 * simulator, the sink and the four services as processes — with a tenant's credentials and an
 * instance of theirs, so authenticated routes are exercised. Fails on any 5xx or any answer the
 * document does not declare (status, body, content type, headers). Prints cases and failures per service.
 *
 * Arguments: `--cases N` (at least this many cases per service; default 1000), `--seed N`,
 * `--only instance-service,poller-service,dispatcher` (a subset), `--checks a,b` (other schemathesis
 * checks, to explore; CI uses FUZZ_CHECKS). Each service's OpenAPI document, the JSON report and a VCR
 * cassette of every request and answer are kept in .data/fuzz/reports/<run>/.
 */
export async function runFuzz(args: string[]): Promise<number> {
  const began = Date.now();
  const option = (name: string): string | undefined => {
    const index = args.indexOf(name);
    return index >= 0 ? args[index + 1] : undefined;
  };
  const minimumCases = Number(option('--cases') ?? 1000);
  const seed = Number(option('--seed') ?? Date.now() % 1_000_000);
  // Exploring only: `--checks all` shows what the negative-data checks would report.
  const checks = option('--checks')?.split(',');
  ensureSchemathesis();
  buildAll(log);

  const profile = PROFILES.fuzz;
  const running: SupervisedProcess[] = [];
  let infra: Infra | undefined;
  let stopped = false;
  const stopAll = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all(running.reverse().map((processHandle) => processHandle.stop(15000)));
    await infra?.stop();
  };
  const onSignal = () => void stopAll().then(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    infra = await startInfra(profile, log);
    const runId = `fuzz_${Date.now().toString(36)}`;
    await ensureDatabase(infra.databaseUrl, runId);
    const secrets = generateSecrets();
    const authorization = authorizationHeader(secrets);
    const ports: Partial<Record<keyof typeof PORTS, number>> = {};
    for (const name of [
      'instanceService',
      'pollerService',
      'normalizer',
      'dispatcher',
      'maximizerSim',
      'webhookSink',
    ] as const) {
      ports[name] = await freePort();
    }
    const specs = platformProcesses(REPO_ROOT, {
      kafkaBrokers: infra.kafkaBrokers,
      databaseUrl: infra.urlForDatabase(runId),
      secrets,
      topicPrefix: `${runId}.`,
      logLevel: 'warn',
      ports,
      extraEnv: {
        // The fuzz sends far more than a tenant should; 429 is declared, but would hide the routes.
        RATE_LIMIT_PER_SECOND: '100000',
        RATE_LIMIT_BURST: '100000',
        POLLER_INTERVAL_UNIT: 'seconds',
      },
    });
    const logDir = join(REPO_ROOT, '.data', profile.name, 'logs', runId);
    const launch = async (group: ProcessSpec[]) => {
      const outcomes = await Promise.allSettled(
        group.map((spec) =>
          startProcess(spec, { cwd: REPO_ROOT, logFile: join(logDir, `${spec.name}.log`), timeoutMs: 90000 }),
        ),
      );
      for (const outcome of outcomes) if (outcome.status === 'fulfilled') running.push(outcome.value);
      const failed = outcomes.find((outcome) => outcome.status === 'rejected');
      if (failed) throw failed.reason;
    };
    await launch(specs.filter((spec) => !spec.entry.startsWith('apps')));
    await launch(specs.filter((spec) => spec.name === 'instance-service'));
    await launch(specs.filter((spec) => spec.entry.startsWith('apps') && spec.name !== 'instance-service'));
    const url = (name: string) => running.find((p) => p.spec.name === name)?.url ?? '';
    log(
      `platform ready in ${((Date.now() - began) / 1000).toFixed(0)} s (logs in ${logDir.replace(`${REPO_ROOT}/`, '')})`,
    );

    const [instanceId, doomedInstanceId] = [
      await createFuzzInstance(
        url('instance-service'),
        url('maximizer-sim'),
        url('webhook-sink'),
        authorization,
        'fuzz',
      ),
      await createFuzzInstance(
        url('instance-service'),
        url('maximizer-sim'),
        url('webhook-sink'),
        authorization,
        'fuzz-deleted',
      ),
    ];
    for (const [service, path] of [
      ['poller-service', `/elements/api-v2/instances/${instanceId}/poller`],
      ['dispatcher', `/elements/api-v2/instances/${instanceId}/events`],
    ] as const) {
      await waitUntil(`${service} to know instance ${instanceId}`, async () => {
        const response = await fetch(`${url(service)}${path}`, { headers: { authorization } });
        await response.body?.cancel();
        return response.status === 200;
      });
    }
    log(`tenant instance ${instanceId} is known to every service`);
    const eventIds = await produceEvents(
      url('maximizer-sim'),
      url('poller-service'),
      url('dispatcher'),
      instanceId,
      authorization,
    );
    log(`${eventIds.length} events recorded for it (polled from the simulator, normalized, delivered)`);

    const reportDir = join(REPO_ROOT, '.data', profile.name, 'reports', runId);
    mkdirSync(reportDir, { recursive: true });
    const configFile = join(reportDir, 'schemathesis.toml');
    writeFileSync(configFile, schemathesisConfig(instanceId, doomedInstanceId, eventIds));
    const only = option('--only');
    const targets: FuzzTarget[] = (
      [
        // instance-service last: its cases change the shared instance (disable, replace configuration).
        { service: 'poller-service', url: url('poller-service') },
        { service: 'dispatcher', url: url('dispatcher') },
        { service: 'instance-service', url: url('instance-service') },
      ] as const
    ).filter((target) => only === undefined || only.split(',').includes(target.service));
    const results: FuzzResult[] = [];
    for (const target of targets) {
      // Enough examples per operation that the service gets at least `minimumCases` cases in all.
      const document = (await (await fetch(`${target.url}/docs-json`)).json()) as {
        paths: Record<string, Record<string, unknown>>;
      };
      writeFileSync(join(reportDir, `${target.service}.openapi.json`), JSON.stringify(document, null, 2));
      const operations = Object.entries(document.paths)
        .filter(([path]) => path.startsWith('/elements/api-v2/'))
        .reduce((sum, [, item]) => sum + Object.keys(item).length, 0);
      const casesPerOperation = Math.ceil(minimumCases / Math.max(1, operations));
      results.push(
        await fuzzOne(target, { checks, authorization, casesPerOperation, configFile, reportDir, seed }),
      );
    }

    const failed = results.filter(
      (result) =>
        result.exitCode !== 0 || result.failures > 0 || result.errors > 0 || result.cases < minimumCases,
    );
    process.stdout.write(
      `\n${'service'.padEnd(18)}${'operations'.padStart(11)}${'cases'.padStart(8)}${'failures'.padStart(10)}${'errors'.padStart(8)}${'seconds'.padStart(9)}\n`,
    );
    for (const result of results) {
      process.stdout.write(
        `${result.service.padEnd(18)}${String(result.operations).padStart(11)}${String(result.cases).padStart(8)}${String(result.failures).padStart(10)}${String(result.errors).padStart(8)}${result.seconds.toFixed(0).padStart(9)}\n`,
      );
    }
    log(`seed ${seed}; reports in ${reportDir.replace(`${REPO_ROOT}/`, '')}`);
    for (const result of failed) {
      if (
        result.cases < minimumCases &&
        result.failures === 0 &&
        result.errors === 0 &&
        result.exitCode === 0
      ) {
        log(`${result.service}: only ${result.cases} cases ran, fewer than ${minimumCases}`);
      }
    }
    log(
      `finished in ${((Date.now() - began) / 1000).toFixed(0)} s: ${failed.length === 0 ? 'green' : `${failed.length} service(s) failed`}`,
    );
    return failed.length === 0 ? 0 : 1;
  } finally {
    await stopAll();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}
