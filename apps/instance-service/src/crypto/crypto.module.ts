import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { Env } from '../env';
import { SecretBox } from './secret-box';
import { deriveLookupKey, SecretHasher } from './secret-hash';

/** Builds the encryption and hashing primitives from the environment (once, at boot). */
export function createCrypto(env: Pick<Env, 'POLLCAST_ENCRYPTION_KEYS' | 'POLLCAST_LOOKUP_KEY'>): {
  secretBox: SecretBox;
  hasher: SecretHasher;
} {
  const secretBox = new SecretBox(env.POLLCAST_ENCRYPTION_KEYS);
  const lookupMaterial =
    env.POLLCAST_LOOKUP_KEY !== undefined
      ? Buffer.from(env.POLLCAST_LOOKUP_KEY, 'utf8')
      : // The first encryption key is always present; set POLLCAST_LOOKUP_KEY before rotating it.
        (env.POLLCAST_ENCRYPTION_KEYS[0]?.key ?? Buffer.alloc(32));
  return { secretBox, hasher: new SecretHasher(deriveLookupKey(lookupMaterial)) };
}

@Global()
@Module({})
export class CryptoModule {
  static register(env: Env): DynamicModule {
    const { secretBox, hasher } = createCrypto(env);
    return {
      module: CryptoModule,
      providers: [
        { provide: SecretBox, useValue: secretBox },
        { provide: SecretHasher, useValue: hasher },
      ],
      exports: [SecretBox, SecretHasher],
    };
  }
}
