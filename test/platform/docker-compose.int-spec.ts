/* docker-compose.yml checked offline (no Docker engine runs in CI): valid by the Compose Specification's
 * JSON Schema (compose-spec.schema.json, vendored from github.com/compose-spec/compose-go/v2 v2.17.0,
 * schema/compose-spec.json), and the properties issue 14 asked for: Kafka reachable from the host and from
 * the network, volumes, healthchecks, start order by health, the console's APIs reachable, and no
 * variable a service does not declare. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { REPO_ROOT } from '@pollcast/dev';
import { parse } from 'yaml';
import { SERVICE_ENV_SCHEMAS as ENV_SCHEMAS } from '../support/service-env-schemas';

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
}

const text = readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
// Compose interpolates ${VAR:?message} from .env; the schema sees the file as written.
const compose = parse(text, { merge: true }) as ComposeFile;

describe('docker-compose.yml', () => {
  it('is valid by the Compose Specification schema', () => {
    const schema = JSON.parse(readFileSync(join(__dirname, 'compose-spec.schema.json'), 'utf8')) as object;
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('lets containers and the host reach Kafka, and keeps Kafka and PostgreSQL data in volumes', () => {
    const kafka = compose.services.kafka!;
    expect(String(kafka.environment?.KAFKA_ADVERTISED_LISTENERS)).toMatch(
      /\/\/kafka:19092.*\/\/localhost:9092/,
    );
    expect(kafka.ports).toContain('9092:9092');
    expect(kafka.volumes).toContain('kafka-data:/var/lib/kafka/data');
    expect(kafka.environment?.KAFKA_LOG_DIRS).toBe('/var/lib/kafka/data');
    expect(compose.services.postgres!.volumes).toContain('postgres-data:/var/lib/postgresql/data');
    expect(Object.keys(compose.volumes).sort()).toEqual(['kafka-data', 'postgres-data']);
  });

  it.each(Object.keys(ENV_SCHEMAS))('%s: healthcheck, healthy dependencies, declared variables', (name) => {
    const service = compose.services[name]!;
    expect(service.command).toEqual([`apps/${name}/dist/main.js`]);
    expect(service.healthcheck?.test.join(' ')).toContain(`:${service.environment?.PORT}/health/ready`);
    for (const dependency of Object.values(service.depends_on ?? {}))
      expect(dependency.condition).toBe('service_healthy');
    expect(Object.keys(service.depends_on ?? {})).toEqual(expect.arrayContaining(['kafka', 'postgres']));
    const shape = ENV_SCHEMAS[name]!.shape as Record<string, unknown>;
    expect(Object.keys(service.environment ?? {}).filter((variable) => !(variable in shape))).toEqual([]);
    expect(service.environment?.KAFKA_BROKERS).toBe('kafka:19092');
  });

  it('gives the console the poller and dispatcher APIs it calls, and those APIs its origin', () => {
    const instanceService = compose.services['instance-service']!.environment!;
    expect(instanceService.CONSOLE_POLLER_API_BASE).toBe('http://localhost:3001');
    expect(instanceService.CONSOLE_DISPATCHER_API_BASE).toBe('http://localhost:3003');
    for (const name of ['poller-service', 'dispatcher']) {
      const service = compose.services[name]!;
      expect(service.environment?.POLLCAST_CORS_ORIGINS).toBe('http://localhost:3000');
      expect(service.ports).toContain(`${service.environment?.PORT}:${service.environment?.PORT}`);
    }
  });
});
