// `npm run test:deploy`: the Helm chart (deploy/helm/pollcast) linted, rendered with its default values and
// with each file in its ci/ folder, every rendered object validated against the Kubernetes schemas of the
// two newest minors (kubernetes-validate --strict, offline), a wrong value refused with its path, and then
// the contract test (test/deploy/): env, ports and probes of every Deployment against the services, each
// service started as a process with the env the chart renders.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureGoBinary, ensurePipTool } from './cached-tools';
import { REPO_ROOT } from './infra';
import { runTests } from './run-tests';

const log = (line: string) => process.stdout.write(`[deploy] ${line}\n`);

export const HELM_VERSION = 'v3.22.0';
const KUBERNETES_VALIDATE_VERSION = '1.37.0';
/** The two newest minors kubernetes-validate KUBERNETES_VALIDATE_VERSION knows. */
export const KUBERNETES_VERSIONS = ['1.36.0', '1.37.0'];
/** Custom resources the chart renders on request; Kubernetes' schemas do not know them (see the docs). */
const CUSTOM_KINDS = new Set(['ScaledObject', 'TriggerAuthentication', 'ServiceMonitor']);
export const CHART_DIR = join(REPO_ROOT, 'deploy', 'helm', 'pollcast');
export const RENDERED_DIR = join(REPO_ROOT, '.data', 'deploy', 'rendered');

function capture(command: string, args: string[]): { status: number; output: string } {
  const result = spawnSync(command, args, { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status ?? 1, output: `${result.stdout}${result.stderr}` };
}

function mustSucceed(what: string, command: string, args: string[]): string {
  const result = capture(command, args);
  if (result.status !== 0) throw new Error(`${what} failed:\n${result.output}`);
  return result.output;
}

/** Renders and validates the chart; returns the value files rendered (name -> manifest path). */
export function renderAndValidateChart(helm: string, validator: string): Map<string, string> {
  const began = Date.now();
  const valueFiles = readdirSync(join(CHART_DIR, 'ci'))
    .filter((file) => file.endsWith('.yaml'))
    .sort();
  const variants: Array<[string, string[]]> = [
    ['default', []],
    ...valueFiles.map((file): [string, string[]] => [
      file.replace(/\.yaml$/, ''),
      ['-f', join(CHART_DIR, 'ci', file)],
    ]),
  ];
  rmSync(RENDERED_DIR, { recursive: true, force: true });
  mkdirSync(RENDERED_DIR, { recursive: true });
  const rendered = new Map<string, string>();
  for (const kubernetes of KUBERNETES_VERSIONS) {
    for (const [name, args] of variants) {
      const kube = ['--kube-version', kubernetes];
      mustSucceed(`helm lint --strict (${name}, ${kubernetes})`, helm, [
        'lint',
        '--strict',
        ...kube,
        CHART_DIR,
        ...args,
      ]);
      const manifest = mustSucceed(`helm template (${name}, ${kubernetes})`, helm, [
        'template',
        'pollcast',
        CHART_DIR,
        '--namespace',
        'pollcast',
        ...kube,
        ...args,
      ]);
      const path = join(RENDERED_DIR, `${name}.yaml`);
      writeFileSync(path, manifest);
      rendered.set(name, path);
      const check = capture(validator, ['--strict', '--kubernetes-version', kubernetes, '--quiet', path]);
      const unknownKinds = [...check.output.matchAll(/Couldn't find schema for kind (\w+)/g)]
        .map((match) => match[1] ?? '')
        .filter((kind) => !CUSTOM_KINDS.has(kind));
      if (check.status !== 0 || unknownKinds.length > 0) {
        throw new Error(`kubernetes-validate --strict (${name}, Kubernetes ${kubernetes}):\n${check.output}`);
      }
      log(`${name}: lint, render and validate against Kubernetes ${kubernetes} passed`);
    }
  }
  log(
    `chart rendered and validated (${variants.length} value sets × ${KUBERNETES_VERSIONS.length} versions) in ${((Date.now() - began) / 1000).toFixed(1)} s`,
  );
  return rendered;
}

/** values.schema.json refuses a wrong value at install and names where it is. */
function assertSchemaRefuses(helm: string): void {
  const wrong = capture(helm, [
    'template',
    'pollcast',
    CHART_DIR,
    '--kube-version',
    KUBERNETES_VERSIONS[1] ?? '',
    '--set',
    'services.normalizer.replicas=-1',
  ]);
  if (wrong.status === 0 || !wrong.output.includes('/services/normalizer/replicas')) {
    throw new Error(`values.schema.json let services.normalizer.replicas=-1 through:\n${wrong.output}`);
  }
  log('values.schema.json refuses services.normalizer.replicas=-1 and names it');
}

export async function runDeployCheck(jestArgs: string[]): Promise<number> {
  const helm = ensureGoBinary('helm', 'helm.sh/helm/v3/cmd/helm', HELM_VERSION, log);
  const validator = ensurePipTool(
    'kubernetes-validate',
    'kubernetes-validate',
    KUBERNETES_VALIDATE_VERSION,
    'kubernetes-validate',
    log,
  );
  renderAndValidateChart(helm, validator);
  assertSchemaRefuses(helm);
  // The contract test reads the rendered manifests; its Jest project exists only for this run.
  process.env.POLLCAST_DEPLOY_RENDERED = RENDERED_DIR;
  return runTests(['--selectProjects', 'deploy', ...jestArgs]);
}
