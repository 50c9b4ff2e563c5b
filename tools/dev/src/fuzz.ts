import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { buildAll } from './build';
import { PROFILES, REPO_ROOT, startInfra, type Infra } from './infra';
import { ensureDatabase } from './local-postgres';
import { platformProcesses, type PORTS } from './platform';
import { startProcess, type ProcessSpec, type SupervisedProcess } from './processes';
import { authorizationHeader, generateSecrets } from './secrets';
import { ensureSchemathesis, readReport, SCHEMATHESIS, schemathesisConfig } from './fuzz-schemathesis';

const log = (line: string) => process.stdout.write(`[fuzz] ${line}\n`);

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
      'providerSim',
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
