import { Inject, Injectable } from '@nestjs/common';
import { maskCanonicalConfig, type CanonicalInstanceConfig } from '@pollcast/config-schema';
import type { OAuthTokens } from '@pollcast/elements';
import { SecretBox } from '../crypto/secret-box';
import { SecretHasher } from '../crypto/secret-hash';
import type { EncryptedCredentials, InstanceRecord } from './instance.store';

/** Context strings bind each ciphertext to its row and purpose (AES-GCM additional data). */
export const cipherContext = {
  token: (id: string) => `instance:${id}:token`,
  config: (id: string) => `instance:${id}:config`,
  accessToken: (id: string) => `instance:${id}:access-token`,
  refreshToken: (id: string) => `instance:${id}:refresh-token`,
};

/** What an instance row keeps encrypted: its token, its configuration and its provider credentials. */
@Injectable()
export class InstanceSecrets {
  constructor(
    @Inject(SecretBox) private readonly secretBox: SecretBox,
    @Inject(SecretHasher) private readonly hasher: SecretHasher,
  ) {}

  /** The instance token as stored: its fingerprint (lookups) and its ciphertext (responses). */
  sealToken(id: string, token: string): { tokenFingerprint: string; tokenCiphertext: string } {
    return {
      tokenFingerprint: this.hasher.fingerprint(token),
      tokenCiphertext: this.secretBox.encrypt(token, cipherContext.token(id)),
    };
  }

  openToken(record: InstanceRecord): string {
    return this.secretBox.decrypt(record.tokenCiphertext, cipherContext.token(record.id));
  }

  /** The canonical configuration encrypted whole, and its masked copy for responses and snapshots. */
  sealConfig(
    id: string,
    config: CanonicalInstanceConfig,
  ): { ciphertext: string; publicConfig: CanonicalInstanceConfig } {
    const { providerCode: _singleUse, ...persistent } = config;
    return {
      ciphertext: this.secretBox.encrypt(JSON.stringify(persistent), cipherContext.config(id)),
      publicConfig: maskCanonicalConfig(persistent),
    };
  }

  openConfig(record: InstanceRecord): CanonicalInstanceConfig {
    return JSON.parse(
      this.secretBox.decrypt(record.configCiphertext, cipherContext.config(record.id)),
    ) as CanonicalInstanceConfig;
  }

  sealCredentials(id: string, tokens: OAuthTokens): EncryptedCredentials {
    return {
      accessTokenCiphertext: this.secretBox.encrypt(tokens.accessToken, cipherContext.accessToken(id)),
      refreshTokenCiphertext: this.secretBox.encrypt(tokens.refreshToken, cipherContext.refreshToken(id)),
      expiresAt: tokens.expiresAt,
    };
  }
}
