/* The chart's contract with the services (run by `npm run test:deploy`, which renders the chart into
 * POLLCAST_DEPLOY_RENDERED first): every variable a Deployment sets is declared by that service's env
 * schema and every required one is set; container, Service and probe ports agree with PORT and
 * MANAGEMENT_PORT; probe paths are routes of the health controller; Services select their pods. Then
 * each service starts as a local process with the env the chart renders (hosts pointed at the local
 * Kafka and PostgreSQL) and must pass its readiness probe. */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PATH_METADATA } from '@nestjs/common/constants';
import { REPO_ROOT, startProcess, type SupervisedProcess } from '@pollcast/dev';
import { HealthController } from '@pollcast/service-kit';
import { createTestDatabase, freePort, kafkaBrokers, uniqueName } from '@pollcast/testing';
import { parseAllDocuments } from 'yaml';
import type { z } from 'zod';
import { SERVICE_ENV_SCHEMAS as ENV_SCHEMAS } from '../support/service-env-schemas';

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}
interface Container {
  name: string;
  args: string[];
  env: EnvVar[];
  ports: Array<{ name: string; containerPort: number }>;
  startupProbe: { httpGet: { path: string; port: string } };
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}
interface KubeObject {
  kind: string;
  metadata: { name: string };
  spec: {
    selector?: { matchLabels?: Record<string, string> } & Record<string, string>;
    template?: {
      metadata: { labels: Record<string, string> };
      spec: { containers: Container[]; volumes?: Array<{ name: string; configMap?: { name: string } }> };
    };
    ports?: Array<{ name: string; targetPort: string }>;
  };
}

const renderedDir = process.env.POLLCAST_DEPLOY_RENDERED ?? join(REPO_ROOT, '.data', 'deploy', 'rendered');
const load = (variant: string): KubeObject[] =>
  parseAllDocuments(readFileSync(join(renderedDir, `${variant}.yaml`), 'utf8'))
    .map((document) => document.toJS() as KubeObject | null)
    .filter((object): object is KubeObject => object !== null);

/** Variables naming a folder the pod mounts (absent on this machine). */
const MOUNTED_FOLDERS = ['POLLCAST_ELEMENTS_DIR'];

const appOf = (container: Container) =>
  /^apps\/([a-z-]+)\/dist\/main\.js$/.exec(container.args[0] ?? '')?.[1] ?? '';
const envValue = (container: Container, name: string) =>
  container.env.find((entry) => entry.name === name)?.value;
const healthRoutes = (['live', 'ready'] as const).map((method) => {
  const base = Reflect.getMetadata(PATH_METADATA, HealthController) as string;
  const path = Reflect.getMetadata(PATH_METADATA, HealthController.prototype[method]) as string;
  return `/${base}/${path}`;
});

describe.each(['default', 'production-values', 'mtls-values'])('chart rendered with %s values', (variant) => {
  const objects = load(variant);
  const deployments = objects.filter((object) => object.kind === 'Deployment');

  it('has a Deployment and a Service for each of the four services', () => {
    expect(
      deployments.map((deployment) => appOf(deployment.spec.template!.spec.containers[0]!)).sort(),
    ).toEqual(Object.keys(ENV_SCHEMAS).sort());
  });

  it.each(Object.keys(ENV_SCHEMAS))('%s: env declared by its schema, every required variable set', (app) => {
    const deployment = deployments.find(
      (candidate) => appOf(candidate.spec.template!.spec.containers[0]!) === app,
    )!;
    const container = deployment.spec.template!.spec.containers[0]!;
    const shape = ENV_SCHEMAS[app]!.shape as Record<string, z.ZodType>;
    const names = container.env.map((entry) => entry.name);
    expect(names.filter((name) => !(name in shape))).toEqual([]);
    expect(names.filter((name, index) => names.indexOf(name) !== index)).toEqual([]);
    const required = Object.entries(shape)
      .filter(([, schema]) => !schema.safeParse(undefined).success)
      .map(([name]) => name);
    expect(required.filter((name) => !names.includes(name))).toEqual([]);
    // Plain values parse (secrets are references here; the start below gives them values). A folder
    // the pod mounts does not exist here: that one must be a read-only mount instead (checked below).
    for (const entry of container.env) {
      if (entry.value === undefined || MOUNTED_FOLDERS.includes(entry.name)) continue;
      const parsed = shape[entry.name]!.safeParse(entry.value);
      expect([entry.name, parsed.success ? 'valid' : parsed.error.message]).toEqual([entry.name, 'valid']);
    }
  });

  it.each(Object.keys(ENV_SCHEMAS))(
    '%s: ports and probes agree with PORT, MANAGEMENT_PORT and the routes',
    (app) => {
      const deployment = deployments.find(
        (candidate) => appOf(candidate.spec.template!.spec.containers[0]!) === app,
      )!;
      const container = deployment.spec.template!.spec.containers[0]!;
      const port = (name: string) =>
        container.ports.find((candidate) => candidate.name === name)?.containerPort;
      expect(String(port('http'))).toBe(envValue(container, 'PORT'));
      expect(String(port('management'))).toBe(envValue(container, 'MANAGEMENT_PORT'));
      for (const probe of [container.startupProbe, container.livenessProbe, container.readinessProbe]) {
        expect(probe.httpGet.port).toBe('management');
        expect(healthRoutes).toContain(probe.httpGet.path);
      }
      expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
      // The Service of the same name selects exactly these pods, on ports the pods declare.
      const service = objects.find(
        (object) => object.kind === 'Service' && object.metadata.name === deployment.metadata.name,
      )!;
      const podLabels = deployment.spec.template!.metadata.labels;
      for (const [label, value] of Object.entries(service.spec.selector ?? {}))
        expect(podLabels[label]).toBe(value);
      for (const [label, value] of Object.entries(deployment.spec.selector?.matchLabels ?? {}))
        expect(podLabels[label]).toBe(value);
      for (const servicePort of service.spec.ports ?? [])
        expect(container.ports.map((p) => p.name)).toContain(servicePort.targetPort);
    },
  );
});

describe('the elements ConfigMap (production values: elements.configMap)', () => {
  const deployments = load('production-values').filter((object) => object.kind === 'Deployment');

  it.each(Object.keys(ENV_SCHEMAS))('%s: POLLCAST_ELEMENTS_DIR names a read-only mount of it', (app) => {
    const deployment = deployments.find(
      (candidate) => appOf(candidate.spec.template!.spec.containers[0]!) === app,
    )!;
    const container = deployment.spec.template!.spec.containers[0]!;
    const folder = envValue(container, 'POLLCAST_ELEMENTS_DIR');
    const mount = container.volumeMounts?.find((candidate) => candidate.mountPath === folder);
    const volume = deployment.spec.template!.spec.volumes?.find(
      (candidate) => candidate.name === mount?.name,
    );
    if (app === 'instance-service' || app === 'poller-service') {
      expect(folder).toBe('/etc/pollcast/elements');
      expect(mount?.readOnly).toBe(true);
      expect(volume?.configMap?.name).toBe('pollcast-elements');
    } else {
      // Only the services that call providers load definitions.
      expect(folder).toBeUndefined();
      expect(deployment.spec.template!.spec.volumes?.some((candidate) => candidate.configMap)).toBeFalsy();
    }
  });
});

describe('each service started with the env the chart renders (default values)', () => {
  const deployments = load('default').filter((object) => object.kind === 'Deployment');
  const containerOf = (app: string) =>
    deployments
      .map((deployment) => deployment.spec.template!.spec.containers[0]!)
      .find((c) => appOf(c) === app)!;
  const started: SupervisedProcess[] = [];
  afterAll(async () => {
    await Promise.all(started.map((process) => process.stop(15000)));
  });

  it('instance-service, then poller-service, normalizer and dispatcher become ready', async () => {
    const prefix = `${uniqueName('deploy')}.`;
    const secrets: Record<string, string> = {
      DATABASE_URL: await createTestDatabase('deploy'),
      POLLCAST_SERVICE_TOKEN: randomBytes(24).toString('hex'),
      POLLCAST_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    };
    let instanceServiceManagement = '';
    const managementUrls = new Map<string, string>();
    for (const app of ['instance-service', 'poller-service', 'normalizer', 'dispatcher']) {
      const container = containerOf(app);
      const env: Record<string, string> = {};
      for (const entry of container.env) {
        const value = entry.value ?? secrets[entry.name];
        if (value === undefined) throw new Error(`${app}: no local value for secret ${entry.name}`);
        env[entry.name] = value;
      }
      // Pointed at this machine: the local broker (one node, so replication 1), the test database,
      // free ports (several services share 127.0.0.1), topics of this run only.
      const ports = { public: await freePort(), management: await freePort() };
      Object.assign(env, {
        HOST: '127.0.0.1',
        KAFKA_BROKERS: kafkaBrokers(),
        KAFKA_REPLICATION_FACTOR: '1',
        POLLCAST_TOPIC_PREFIX: prefix,
        MANAGEMENT_PORT: String(ports.management),
        ...(env.INSTANCE_SERVICE_URL ? { INSTANCE_SERVICE_URL: instanceServiceManagement } : {}),
      });
      const handle = await startProcess(
        {
          name: app,
          entry: container.args[0]!,
          port: ports.public,
          readyPort: ports.management,
          readyPath: container.readinessProbe.httpGet.path,
          env,
        },
        {
          cwd: REPO_ROOT,
          logFile: join(REPO_ROOT, '.data', 'test', 'logs', prefix.slice(0, -1), `${app}.log`),
          timeoutMs: 120_000,
        },
      );
      started.push(handle);
      if (app === 'instance-service') instanceServiceManagement = `http://127.0.0.1:${ports.management}`;
      // The public port hides what the management port serves.
      expect((await fetch(`http://127.0.0.1:${ports.public}/health/ready`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${ports.management}/metrics`)).status).toBe(200);
      managementUrls.set(app, `http://127.0.0.1:${ports.management}`);
    }
    // Idle figures for the chart's requests (docs/deploy/kubernetes.md, "Resources"): RSS and CPU of
    // each service after a quiet spell, from its own /metrics.
    const sample = async (url: string) => {
      const text = await (await fetch(`${url}/metrics`)).text();
      const value = (name: string) =>
        Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'm').exec(text)?.[1]);
      return { rss: value('process_resident_memory_bytes'), cpu: value('process_cpu_seconds_total') };
    };
    const before = new Map<string, { rss: number; cpu: number }>();
    for (const [app, url] of managementUrls) before.set(app, await sample(url));
    await new Promise((resolve) => setTimeout(resolve, 30_000));
    for (const [app, url] of managementUrls) {
      const after = await sample(url);
      const cpuMillicores = ((after.cpu - before.get(app)!.cpu) / 30) * 1000;
      process.stdout.write(
        `[deploy] ${app} idle: RSS ${(after.rss / 2 ** 20).toFixed(0)} MiB, CPU ${cpuMillicores.toFixed(1)} m over 30 s\n`,
      );
      expect(after.rss).toBeGreaterThan(0);
    }
  }, 300_000);
});
