import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { KafkaClient, ROOT_LOGGER, type OutgoingMessage } from '@pollcast/service-kit';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { ENV } from '../tokens';
import type { Env } from '../env';
import { outboxStore, type OutboxRow } from './outbox.store';

const MAX_BACKOFF_MS = 30_000;

/**
 * Publishes outbox rows to Kafka (acks=all) and deletes them in the same transaction that claimed them:
 * a crash before the commit leaves the rows for the next attempt (at-least-once; consumers keep the
 * highest `version`). Wakes on an interval and right after a commit. Only one replica relays at a time
 * (transaction-scoped advisory lock) so messages of one key keep their order; rows are also claimed
 * `FOR UPDATE SKIP LOCKED` so a second relay never blocks on them.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private rerun = false;
  private stopped = false;
  private consecutiveFailures = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(KafkaClient) private readonly kafka: KafkaClient,
    @Inject(ENV) private readonly env: Env,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (this.env.OUTBOX_RELAY_ENABLED) this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Called after a commit that wrote outbox rows. */
  wake(): void {
    if (!this.env.OUTBOX_RELAY_ENABLED || this.stopped) return;
    if (this.running) {
      this.rerun = true;
      return;
    }
    this.schedule(0);
  }

  /** Relays until the outbox is empty (tests and shutdown use it); returns how many were published. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const relayed = await this.relayBatch();
      total += relayed;
      if (relayed < this.env.OUTBOX_BATCH_SIZE) return total;
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), delayMs);
    this.timer.unref();
  }

  private tick(): void {
    if (this.running || this.stopped) {
      this.rerun = true;
      return;
    }
    this.rerun = false;
    this.running = this.drain().then(
      () => {
        this.consecutiveFailures = 0;
      },
      (error: unknown) => {
        this.consecutiveFailures += 1;
        this.logger.warn(
          { err: error, consecutiveFailures: this.consecutiveFailures },
          'outbox relay failed; the rows stay and are retried',
        );
      },
    );
    void this.running.finally(() => {
      this.running = undefined;
      const backoff =
        this.consecutiveFailures === 0
          ? this.rerun
            ? 0
            : this.env.OUTBOX_POLL_INTERVAL_MS
          : Math.min(MAX_BACKOFF_MS, this.env.OUTBOX_POLL_INTERVAL_MS * 2 ** this.consecutiveFailures);
      this.schedule(backoff);
    });
  }

  private async relayBatch(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      if (!(await outboxStore.tryRelayLock(manager))) return 0;
      const rows = await outboxStore.claimBatch(manager, this.env.OUTBOX_BATCH_SIZE);
      if (rows.length === 0) return 0;
      // Consecutive rows of one topic go in one send; order across the batch is kept.
      let index = 0;
      while (index < rows.length) {
        const topic = rows[index]?.topic;
        const messages: OutgoingMessage[] = [];
        while (index < rows.length && rows[index]?.topic === topic) {
          const row = rows[index] as OutboxRow;
          messages.push({ key: row.message_key, value: row.value ?? null, headers: row.headers });
          index += 1;
        }
        if (topic !== undefined) await this.kafka.publish(topic, messages);
      }
      await outboxStore.delete(
        manager,
        rows.map((row) => row.id),
      );
      this.logger.debug({ count: rows.length }, 'outbox relayed');
      return rows.length;
    });
  }
}
