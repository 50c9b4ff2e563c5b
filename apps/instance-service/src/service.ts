import type { BootServiceOptions } from '@pollcast/service-kit';
import { AppModule } from './app.module';
import { envSchema } from './env';
import { maskQuerySecrets } from './http/mask-query-secrets';

/** How instance-service starts: shared by main.ts and the tests (which pass their own env). */
export function instanceServiceOptions(env?: NodeJS.ProcessEnv): BootServiceOptions<typeof envSchema> {
  return {
    service: 'instance-service',
    envSchema,
    createModule: (parsed) => AppModule.register(parsed),
    openApi: {
      title: 'Pollcast instance-service',
      description:
        'Open Connectors-compatible /elements/api-v2 API (instances, elements, OAuth) and the internal ' +
        'service-to-service endpoints. Authorization: `User <secret>, Organization <secret>` or, on ' +
        'instance routes, `User <secret>, Element <instance token>`. Every error is {requestId, message, errors?}.',
      version: '1',
    },
    configure: (app) => {
      // Before the request logger: secret query values never reach a log line.
      app.use(maskQuerySecrets);
    },
    ...(env === undefined ? {} : { env }),
  };
}
