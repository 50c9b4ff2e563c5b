import type { z } from 'zod';
import { envSchema as dispatcherEnv } from '../../apps/dispatcher/src/env';
import { envSchema as instanceServiceEnv } from '../../apps/instance-service/src/env';
import { envSchema as normalizerEnv } from '../../apps/normalizer/src/env';
import { envSchema as pollerServiceEnv } from '../../apps/poller-service/src/env';

/** Each service's env schema by its name: what deployment files (chart, docker-compose) may set. */
export const SERVICE_ENV_SCHEMAS: Record<string, z.ZodObject> = {
  'instance-service': instanceServiceEnv,
  'poller-service': pollerServiceEnv,
  normalizer: normalizerEnv,
  dispatcher: dispatcherEnv,
};
