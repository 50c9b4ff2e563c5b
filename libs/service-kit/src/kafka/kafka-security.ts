// TLS and SASL towards the Kafka cluster: the env variables (spread into baseEnvSchema), their
// cross-checks and the kafkajs `ssl` / `sasl` options. Certificates come as files (Kubernetes mounts
// Secrets as files; PEM in env variables is unreadable in `kubectl describe` and easily logged).
import { readFileSync } from 'node:fs';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import { z } from 'zod';
import { booleanFlag, SENSITIVE } from '../config/env-primitives';
const file = z.string().min(1);

export const kafkaSecurityEnvShape = {
  KAFKA_SSL: booleanFlag
    .default(false)
    .describe('TLS to the brokers (implied by any KAFKA_SSL_*_FILE); the system CAs unless a CA file is set'),
  KAFKA_SSL_CA_FILE: file.optional().describe('PEM file of the CA(s) that signed the brokers’ certificates'),
  KAFKA_SSL_CERT_FILE: file
    .optional()
    .describe('PEM client certificate (mutual TLS); needs KAFKA_SSL_KEY_FILE'),
  KAFKA_SSL_KEY_FILE: file.optional().describe('PEM private key of KAFKA_SSL_CERT_FILE'),
  KAFKA_SSL_REJECT_UNAUTHORIZED: booleanFlag
    .default(true)
    .describe('Verify the brokers’ certificates and host names (switch off only to diagnose)'),
  KAFKA_SASL_MECHANISM: z
    .enum(['plain', 'scram-sha-256', 'scram-sha-512'])
    .optional()
    .describe('SASL authentication; needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD'),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional().describe(SENSITIVE),
};

type KafkaSecurityEnv = z.infer<z.ZodObject<typeof kafkaSecurityEnvShape>>;
export type KafkaSecurityOptions = Pick<KafkaConfig, 'ssl' | 'sasl'>;

/** A variable set without the one it needs; reported as the env errors are (EnvConfigError). */
export function kafkaSecurityIssues(env: KafkaSecurityEnv): Array<{ variable: string; message: string }> {
  const issues: Array<{ variable: string; message: string }> = [];
  const needs = (variable: string, other: string, given: unknown) => {
    if (given === undefined) issues.push({ variable, message: `is set but ${other} is not` });
  };
  if (env.KAFKA_SSL_CERT_FILE !== undefined)
    needs('KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE', env.KAFKA_SSL_KEY_FILE);
  if (env.KAFKA_SSL_KEY_FILE !== undefined)
    needs('KAFKA_SSL_KEY_FILE', 'KAFKA_SSL_CERT_FILE', env.KAFKA_SSL_CERT_FILE);
  if (env.KAFKA_SASL_MECHANISM !== undefined) {
    needs('KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', env.KAFKA_SASL_USERNAME);
    needs('KAFKA_SASL_MECHANISM', 'KAFKA_SASL_PASSWORD', env.KAFKA_SASL_PASSWORD);
  } else if (env.KAFKA_SASL_USERNAME !== undefined || env.KAFKA_SASL_PASSWORD !== undefined) {
    issues.push({
      variable: 'KAFKA_SASL_MECHANISM',
      message: 'is required when a SASL user or password is set',
    });
  }
  return issues;
}

/** kafkajs `ssl` and `sasl` from the env (files read once, at boot); `{}` for a plaintext cluster. */
export function kafkaSecurityOptions(
  env: KafkaSecurityEnv,
  read: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): KafkaSecurityOptions {
  const options: KafkaSecurityOptions = {};
  const files = [env.KAFKA_SSL_CA_FILE, env.KAFKA_SSL_CERT_FILE, env.KAFKA_SSL_KEY_FILE];
  if (env.KAFKA_SSL || files.some((path) => path !== undefined)) {
    options.ssl = {
      rejectUnauthorized: env.KAFKA_SSL_REJECT_UNAUTHORIZED,
      ...(env.KAFKA_SSL_CA_FILE === undefined ? {} : { ca: [read(env.KAFKA_SSL_CA_FILE)] }),
      ...(env.KAFKA_SSL_CERT_FILE === undefined ? {} : { cert: read(env.KAFKA_SSL_CERT_FILE) }),
      ...(env.KAFKA_SSL_KEY_FILE === undefined ? {} : { key: read(env.KAFKA_SSL_KEY_FILE) }),
    };
  }
  if (env.KAFKA_SASL_MECHANISM !== undefined && env.KAFKA_SASL_USERNAME && env.KAFKA_SASL_PASSWORD) {
    const credentials = { username: env.KAFKA_SASL_USERNAME, password: env.KAFKA_SASL_PASSWORD };
    const mechanism = env.KAFKA_SASL_MECHANISM;
    const sasl: SASLOptions =
      mechanism === 'plain'
        ? { mechanism, ...credentials }
        : mechanism === 'scram-sha-256'
          ? { mechanism, ...credentials }
          : { mechanism, ...credentials };
    options.sasl = sasl;
  }
  return options;
}
