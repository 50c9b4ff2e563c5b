import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { AccessTokenGrant, AccessTokenRequestBody } from '@pollcast/contracts';
import { isProviderError, type OAuthTokens, type ProviderError } from '@pollcast/elements';
import { DomainError, ROOT_LOGGER, ErrorCode } from '@pollcast/service-kit';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { SecretBox } from '../crypto/secret-box';
import type { Env } from '../env';
import { InstanceNotFoundError, InstanceRecords } from '../instances/instance-records';
import { cipherContext, InstanceSecrets } from '../instances/instance-secrets';
import { instanceStore, type InstanceRecord } from '../instances/instance.store';
import { ProviderAuthorization } from '../instances/provider-authorization';
import { ENV } from '../tokens';
import { elementCallConfiguration } from './element-config';

/** A refresh was refused: the instance needs a new authorization (409 with `valid: false`). */
export class CredentialsInvalidError extends DomainError {
  constructor(message: string) {
    super(ErrorCode.CREDENTIALS_INVALID, message, HttpStatus.CONFLICT);
  }
}

type Outcome = { kind: 'token'; grant: AccessTokenGrant } | { kind: 'invalid'; message: string };

type Step =
  | { kind: 'done'; outcome: Outcome }
  /** Another caller holds the refresh lease: wait for what it stores. */
  | { kind: 'wait' }
  | { kind: 'leased'; record: InstanceRecord; refreshToken: string };

/** The lease outlives the provider timeout by this much; waiting callers look again this often. */
const LEASE_MARGIN_MS = 5_000;
const LEASE_POLL_MS = 100;

function refusalReason(error: ProviderError): string {
  return `${error.operation}: ${error.oauthError ?? ''} ${error.providerMessage ?? error.message}`.trim();
}

/**
 * POST /internal/instances/{id}/access-token: hands out an instance's access token, refreshing it first when needed. Exactly one refresh runs per
 * instance at a time: in-process callers queue behind each other, and across replicas a refresh lease on
 * the credentials row decides who calls the provider (see `obtain`). A caller that waited behind a
 * refresh takes the token saved after it arrived, so concurrent callers all get the same new token. No
 * provider call runs inside a database transaction.
 */
@Injectable()
export class IssueAccessToken {
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SecretBox) private readonly secretBox: SecretBox,
    @Inject(ProviderAuthorization) private readonly authorization: ProviderAuthorization,
    @Inject(InstanceSecrets) private readonly instanceSecrets: InstanceSecrets,
    @Inject(InstanceRecords) private readonly records: InstanceRecords,
    @Inject(ENV) private readonly env: Env,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async execute(instanceId: string, request: AccessTokenRequestBody): Promise<AccessTokenGrant> {
    const previous = this.queues.get(instanceId);
    // A forced refresh that names no rejected token is satisfied by any refresh saved after it arrived
    // (database clock, like refreshed_at): callers queued behind one refresh do not each refresh again.
    const arrival =
      previous !== undefined && request.forceRefresh && request.rejectedToken === undefined
        ? await instanceStore.clock(this.dataSource.manager)
        : undefined;
    const run = () => this.obtain(instanceId, request, arrival);
    const current = (previous ?? Promise.resolve()).then(run, run);
    this.queues.set(instanceId, current);
    try {
      const outcome = await current;
      if (outcome.kind === 'invalid') throw new CredentialsInvalidError(outcome.message);
      return outcome.grant;
    } finally {
      if (this.queues.get(instanceId) === current) this.queues.delete(instanceId);
    }
  }

  /**
   * Decides in a short transaction whether a refresh is needed and, if so, takes the instance's refresh
   * lease (`refresh_lease_until`, one statement, no lock held afterwards). The lease holder calls the
   * provider with no transaction open and stores the result in a second short transaction; callers on
   * other replicas that find the lease taken wait for the stored result instead of refreshing again.
   * A slow provider therefore never holds a database connection or a row lock.
   */
  private async obtain(
    instanceId: string,
    request: AccessTokenRequestBody,
    arrival?: Date,
  ): Promise<Outcome> {
    const leaseMs = this.env.PROVIDER_TIMEOUT_MS + LEASE_MARGIN_MS;
    const giveUpAt = Date.now() + leaseMs + LEASE_MARGIN_MS;
    let firstSeen: string | undefined;
    for (;;) {
      const step = await this.dataSource.transaction(async (manager): Promise<Step> => {
        const record = await instanceStore.find(manager, instanceId, 'internal');
        if (record === undefined) throw new InstanceNotFoundError(instanceId);
        if (!record.valid) {
          return {
            kind: 'done',
            outcome: {
              kind: 'invalid',
              message: `Instance ${instanceId} needs a new authorization: its last token refresh was refused`,
            },
          };
        }
        const credentials = await instanceStore.findCredentials(manager, instanceId);
        if (credentials === undefined) {
          return {
            kind: 'done',
            outcome: { kind: 'invalid', message: `Instance ${instanceId} has no stored credentials` },
          };
        }
        // Compared as text: a JS Date keeps milliseconds, refreshed_at has microseconds.
        firstSeen ??= credentials.refreshed_at_text;
        const accessToken = this.secretBox.decrypt(
          credentials.access_token_ciphertext,
          cipherContext.accessToken(instanceId),
        );
        const expiring =
          credentials.expires_at.getTime() - Date.now() < this.env.ACCESS_TOKEN_REFRESH_MARGIN_SECONDS * 1000;
        // A refresh saved after this caller arrived (or while it waited for another replica's) is the
        // one it asked for.
        const refreshedMeanwhile =
          credentials.refreshed_at_text !== firstSeen ||
          (arrival !== undefined && credentials.refreshed_at.getTime() >= arrival.getTime());
        const needsRefresh = refreshedMeanwhile
          ? expiring
          : request.rejectedToken !== undefined
            ? request.rejectedToken === accessToken || expiring
            : request.forceRefresh || expiring;
        if (!needsRefresh) {
          return {
            kind: 'done',
            outcome: {
              kind: 'token',
              grant: { accessToken, expiresAt: credentials.expires_at.toISOString() },
            },
          };
        }
        if (
          !(await instanceStore.takeRefreshLease(manager, instanceId, credentials.refreshed_at_text, leaseMs))
        )
          return { kind: 'wait' };
        return {
          kind: 'leased',
          record,
          refreshToken: this.secretBox.decrypt(
            credentials.refresh_token_ciphertext,
            cipherContext.refreshToken(instanceId),
          ),
        };
      });
      if (step.kind === 'done') return step.outcome;
      if (step.kind === 'leased') return this.refreshUnderLease(instanceId, step.record, step.refreshToken);
      if (Date.now() > giveUpAt) {
        throw new DomainError(
          ErrorCode.PROVIDER_UNAVAILABLE,
          `A token refresh of instance ${instanceId} is taking long; retry later`,
          HttpStatus.SERVICE_UNAVAILABLE,
          { 'Retry-After': '1' },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, LEASE_POLL_MS));
    }
  }

  /** The provider call (no transaction open), then one short transaction storing what it came to. */
  private async refreshUnderLease(
    instanceId: string,
    record: InstanceRecord,
    refreshToken: string,
  ): Promise<Outcome> {
    const element = this.authorization.elements.find(record.elementKey);
    let tokens: OAuthTokens | undefined;
    let failure: unknown;
    try {
      if (element === undefined)
        throw new Error(`element ${record.elementKey} of instance ${instanceId} is not in the catalog`);
      tokens = await element.adapter.refreshTokens(
        elementCallConfiguration(this.instanceSecrets.openConfig(record)),
        refreshToken,
        AbortSignal.timeout(this.env.PROVIDER_TIMEOUT_MS),
      );
    } catch (error) {
      failure = error;
    }
    const refused = isProviderError(failure) && failure.kind === 'permanent' ? failure : undefined;
    const outcome = await this.dataSource.transaction(async (manager): Promise<Outcome | undefined> => {
      if (tokens !== undefined) {
        await instanceStore.saveCredentials(
          manager,
          instanceId,
          this.instanceSecrets.sealCredentials(instanceId, tokens),
        );
      }
      await instanceStore.releaseRefreshLease(
        manager,
        instanceId,
        refused === undefined ? null : refusalReason(refused).slice(0, 1000),
      );
      if (tokens !== undefined) {
        return {
          kind: 'token',
          grant: { accessToken: tokens.accessToken, expiresAt: tokens.expiresAt.toISOString() },
        };
      }
      if (refused !== undefined) {
        const locked = await instanceStore.find(manager, instanceId, 'internal', true);
        if (locked !== undefined) await this.records.markInvalid(manager, locked);
        return {
          kind: 'invalid',
          message: `The provider refused to refresh the token of instance ${instanceId}; it needs a new authorization`,
        };
      }
      return undefined;
    });
    if (tokens !== undefined) {
      this.logger.info({ instanceId, expiresAt: tokens.expiresAt.toISOString() }, 'access token refreshed');
    }
    if (refused !== undefined) {
      this.logger.warn(
        { instanceId, reason: refusalReason(refused) },
        'token refresh refused; instance marked invalid',
      );
      this.records.afterCommit(instanceId);
    }
    if (outcome !== undefined) return outcome;
    if (failure instanceof DOMException && failure.name === 'TimeoutError') {
      throw new DomainError(
        ErrorCode.PROVIDER_TIMEOUT,
        `${record.elementKey} did not answer the refresh in time`,
        HttpStatus.GATEWAY_TIMEOUT,
      );
    }
    if (isProviderError(failure)) {
      throw new DomainError(
        ErrorCode.PROVIDER_UNAVAILABLE,
        `${record.elementKey} could not refresh the token now (${failure.kind}); retry later`,
        HttpStatus.SERVICE_UNAVAILABLE,
        { 'Retry-After': String(Math.max(1, Math.ceil((failure.retryAfterMs ?? 1000) / 1000))) },
      );
    }
    throw failure;
  }
}
