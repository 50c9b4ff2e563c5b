import { applyDecorators, Catch, UseFilters, type RpcExceptionFilter } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { throwError, type Observable } from 'rxjs';
import type { z } from 'zod';
import type { DLQ_OF } from '@pollcast/contracts';
import type { BaseEnv } from '../config/env';

/** Topics a service can consume: those with a DLQ (`DLQ_OF` in contracts). */
export type ConsumedTopicRole = keyof typeof DLQ_OF;

/** What one `@KafkaBatchHandler` consumes and how; read by `KafkaBatchTransport` when it starts. */
export interface KafkaBatchHandlerOptions<T, E extends BaseEnv = BaseEnv> {
  /** Messages that do not match go to the topic's DLQ before the handler sees the batch. */
  schema: z.ZodType<T>;
  acceptTombstones?: boolean;
  /** A new group starts at the earliest offset unless this is false. */
  fromBeginning?: boolean;
  /** The consumer group and how many partitions a replica handles at once, from the service's env
   * (names carry POLLCAST_TOPIC_PREFIX, so they are known only at start). */
  consumer(env: E): { groupId: string; partitionsConsumedConcurrently?: number };
  /** Join the group in the background (retried every 5 s) instead of holding up boot: for a consumer
   * the service can work without for a while (a join can wait out a dead member's session, 30 s). */
  joinInBackground?: boolean;
}

/** The key of the options in `@EventPattern`'s extras. */
export const KAFKA_BATCH_HANDLER = 'pollcastKafkaBatchHandler';

/**
 * Nest's default RPC exception filter turns every error into `{ status: 'error', message: 'Internal
 * server error' }`; the failure policy needs the error itself (its PostgreSQL code, its kafkajs class)
 * to tell transient from deterministic, so a handler's errors pass through unchanged.
 */
@Catch()
class PassErrorsToFailurePolicy implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}

/**
 * `@EventPattern(role)` for service-kit's Kafka transport: the method receives one BATCH of validated
 * messages of one partition (`ReadonlyArray<ConsumedMessage<T | null>>`) and a `BatchContext`, and
 * offsets are committed after it resolves. The pattern is the topic's role (`rawChanges`, `events`, …);
 * the transport names the topic and its DLQ with POLLCAST_TOPIC_PREFIX.
 */
export function KafkaBatchHandler<T, E extends BaseEnv = BaseEnv>(
  role: ConsumedTopicRole,
  options: KafkaBatchHandlerOptions<T, E>,
): MethodDecorator {
  return applyDecorators(
    EventPattern(role, { [KAFKA_BATCH_HANDLER]: options }),
    UseFilters(new PassErrorsToFailurePolicy()),
  );
}
