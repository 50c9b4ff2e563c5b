import { z } from 'zod';
import { baseEnvSchema, envSchemas } from '@pollcast/service-kit';

export const envSchema = baseEnvSchema.extend({
  PORT: envSchemas.port.default(3003),
});
export type Env = z.infer<typeof envSchema>;
