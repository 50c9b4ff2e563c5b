import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isProviderError } from '@pollcast/elements';
import { DomainError, ROOT_LOGGER } from '@pollcast/service-kit';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { SecretBox } from '../crypto/secret-box';
import type { Env } from '../env';
import { cipherContext, InstanceNotFoundError, InstancesService } from '../instances/instances.service';
import { instanceStore } from '../instances/instance.store';
import { ENV } from '../tokens';
import { elementCallConfiguration, findElement } from './element-config';

export interface AccessTokenRequest {
  forceRefresh: boolean;
  /** The token the provider just answered 401 to: refresh unless the stored one already differs. */
  rejectedToken?: string;
}

export interface AccessTokenGrant {
  accessToken: string;
  expiresAt: string;
}

/** A refresh was refused: the instance needs a new authorization (409 with `valid: false`). */
export class CredentialsInvalidError extends DomainError {
  constructor(message: string) {
    super('credentials_invalid', message, HttpStatus.CONFLICT);
  }
}

interface CredentialsRow {
  access_token_ciphertext: string;
  refresh_token_ciphertext: string;
  expires_at: Date;
  refreshed_at: Date;
}

type Outcome = { kind: 'token'; grant: AccessTokenGrant } | { kind: 'invalid'; message: string };

/**
 * Hands out an instance's access token, refreshing it first when needed. Exactly one refresh runs per
 * instance at a time: in-process callers queue behind each other, and across replicas the credentials
 * row is locked (`SELECT … FOR UPDATE`) for the refresh. A caller that waited behind a refresh finds a
 * token refreshed after it arrived and takes it as is, so concurrent callers all get the same new token.
 */
@Injectable()
export class AccessTokensService {
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SecretBox) private readonly secretBox: SecretBox,
    @Inject(InstancesService) private readonly instances: InstancesService,
    @Inject(ENV) private readonly env: Env,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async accessToken(instanceId: string, request: AccessTokenRequest): Promise<AccessTokenGrant> {
    const previous = this.queues.get(instanceId) ?? Promise.resolve();
    const current = previous.then(
      () => this.obtain(instanceId, request),
      () => this.obtain(instanceId, request),
    );
    this.queues.set(instanceId, current);
    try {
      const outcome = await current;
      if (outcome.kind === 'invalid') throw new CredentialsInvalidError(outcome.message);
      return outcome.grant;
    } finally {
      if (this.queues.get(instanceId) === current) this.queues.delete(instanceId);
    }
  }

  private async obtain(instanceId: string, request: AccessTokenRequest): Promise<Outcome> {
    const outcome = await this.dataSource.transaction(async (manager): Promise<Outcome> => {
      const record = await instanceStore.find(manager, instanceId, 'internal');
      if (record === undefined) throw new InstanceNotFoundError(instanceId);
      if (!record.valid) {
        return {
          kind: 'invalid',
          message: `Instance ${instanceId} needs a new authorization: its last token refresh was refused`,
        };
      }
      // Taken before waiting for the row lock: a refresh saved after this moment is newer than our view.
      const [arrival] = await manager.query<Array<{ at: Date }>>('SELECT clock_timestamp() AS at');
      const rows = await manager.query<CredentialsRow[]>(
        `SELECT access_token_ciphertext, refresh_token_ciphertext, expires_at, refreshed_at
         FROM instance_credentials WHERE instance_id = $1 FOR UPDATE`,
        [instanceId],
      );
      const credentials = rows[0];
      if (credentials === undefined) {
        return { kind: 'invalid', message: `Instance ${instanceId} has no stored credentials` };
      }
      const accessToken = this.secretBox.decrypt(
        credentials.access_token_ciphertext,
        cipherContext.accessToken(instanceId),
      );
      const current: Outcome = {
        kind: 'token',
        grant: { accessToken, expiresAt: credentials.expires_at.toISOString() },
      };
      const refreshedWhileWaiting =
        arrival !== undefined && credentials.refreshed_at.getTime() >= arrival.at.getTime();
      const expiring =
        credentials.expires_at.getTime() - Date.now() < this.env.ACCESS_TOKEN_REFRESH_MARGIN_SECONDS * 1000;
      const needsRefresh = refreshedWhileWaiting
        ? false
        : request.rejectedToken !== undefined
          ? request.rejectedToken === accessToken || expiring
          : request.forceRefresh || expiring;
      if (!needsRefresh) return current;

      const element = findElement(record.elementKey);
      if (element === undefined)
        throw new Error(`element ${record.elementKey} of instance ${instanceId} is not in the catalog`);
      const refreshToken = this.secretBox.decrypt(
        credentials.refresh_token_ciphertext,
        cipherContext.refreshToken(instanceId),
      );
      try {
        const tokens = await element.adapter.refreshTokens(
          elementCallConfiguration(this.instances.openConfig(record)),
          refreshToken,
          AbortSignal.timeout(this.env.PROVIDER_TIMEOUT_MS),
        );
        await instanceStore.saveCredentials(
          manager,
          instanceId,
          this.instances.sealCredentials(instanceId, tokens),
        );
        this.logger.info({ instanceId, expiresAt: tokens.expiresAt.toISOString() }, 'access token refreshed');
        return {
          kind: 'token',
          grant: { accessToken: tokens.accessToken, expiresAt: tokens.expiresAt.toISOString() },
        };
      } catch (error) {
        if (isProviderError(error) && error.kind === 'permanent') {
          const reason =
            `${error.operation}: ${error.oauthError ?? ''} ${error.providerMessage ?? error.message}`.trim();
          await manager.query('UPDATE instance_credentials SET refresh_failure = $2 WHERE instance_id = $1', [
            instanceId,
            reason.slice(0, 1000),
          ]);
          await this.instances.markInvalid(manager, record);
          this.logger.warn({ instanceId, reason }, 'token refresh refused; instance marked invalid');
          return {
            kind: 'invalid',
            message: `The provider refused to refresh the token of instance ${instanceId}; it needs a new authorization`,
          };
        }
        if (error instanceof DOMException && error.name === 'TimeoutError') {
          throw new DomainError(
            'provider_timeout',
            `${record.elementKey} did not answer the refresh in time`,
            HttpStatus.GATEWAY_TIMEOUT,
          );
        }
        if (isProviderError(error)) {
          throw new DomainError(
            'provider_unavailable',
            `${record.elementKey} could not refresh the token now (${error.kind}); retry later`,
            HttpStatus.SERVICE_UNAVAILABLE,
            { 'Retry-After': String(Math.max(1, Math.ceil((error.retryAfterMs ?? 1000) / 1000))) },
          );
        }
        throw error;
      }
    });
    if (outcome.kind === 'invalid') this.instances.wakeOutbox();
    return outcome;
  }
}
