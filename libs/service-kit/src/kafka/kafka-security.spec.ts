import { baseEnvSchema, EnvConfigError, parseEnv } from '../config/env';
import { kafkaSecurityOptions } from './kafka-security';

const required = { DATABASE_URL: 'postgres://u:p@db:5432/pollcast', KAFKA_BROKERS: 'kafka:9092' };
const parse = (env: Record<string, string>) =>
  parseEnv('test-service', baseEnvSchema, { ...required, ...env });
const files: Record<string, string> = { '/ca.pem': 'CA', '/tls.crt': 'CERT', '/tls.key': 'KEY' };
const read = (path: string) => files[path] ?? '';

describe('Kafka TLS and SASL settings', () => {
  it('is plaintext without any of them', () => {
    const env = parse({});
    expect(env.KAFKA_CREATE_TOPICS).toBe(true);
    expect(kafkaSecurityOptions(env, read)).toEqual({});
  });

  it('turns on TLS with the system CAs, or with the CA and client certificate files given', () => {
    expect(kafkaSecurityOptions(parse({ KAFKA_SSL: 'true' }), read)).toEqual({
      ssl: { rejectUnauthorized: true },
    });
    const env = parse({
      KAFKA_SSL_CA_FILE: '/ca.pem',
      KAFKA_SSL_CERT_FILE: '/tls.crt',
      KAFKA_SSL_KEY_FILE: '/tls.key',
    });
    expect(kafkaSecurityOptions(env, read)).toEqual({
      ssl: { rejectUnauthorized: true, ca: ['CA'], cert: 'CERT', key: 'KEY' },
    });
  });

  it.each(['plain', 'scram-sha-256', 'scram-sha-512'] as const)('authenticates with SASL %s', (mechanism) => {
    const env = parse({
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: mechanism,
      KAFKA_SASL_USERNAME: 'pollcast',
      KAFKA_SASL_PASSWORD: 's3cret',
    });
    expect(kafkaSecurityOptions(env, read)).toEqual({
      ssl: { rejectUnauthorized: true },
      sasl: { mechanism, username: 'pollcast', password: 's3cret' },
    });
  });

  it.each([
    [
      { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'u' },
      'KAFKA_SASL_MECHANISM: is set but KAFKA_SASL_PASSWORD is not',
    ],
    [{ KAFKA_SASL_PASSWORD: 'p' }, 'KAFKA_SASL_MECHANISM: is required when a SASL user or password is set'],
    [{ KAFKA_SSL_CERT_FILE: '/tls.crt' }, 'KAFKA_SSL_CERT_FILE: is set but KAFKA_SSL_KEY_FILE is not'],
    [{ KAFKA_SASL_MECHANISM: 'gssapi' }, 'KAFKA_SASL_MECHANISM: Invalid option'],
    [{ KAFKA_CREATE_TOPICS: 'maybe' }, 'KAFKA_CREATE_TOPICS: Invalid option'],
    [{ MANAGEMENT_PORT: '70000' }, 'MANAGEMENT_PORT: Too big'],
  ])('refuses %j at boot in one line naming the variable', (env, message) => {
    expect(() => parse(env)).toThrow(EnvConfigError);
    expect(() => parse(env)).toThrow(message);
  });

  it('never echoes the SASL password', () => {
    expect(() =>
      parse({ KAFKA_SASL_MECHANISM: 'oauthbearer', KAFKA_SASL_PASSWORD: 'hunter2-secret' }),
    ).toThrow(expect.objectContaining({ message: expect.not.stringContaining('hunter2') }));
  });
});
