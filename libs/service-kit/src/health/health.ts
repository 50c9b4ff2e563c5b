import { Controller, Get, Inject, Injectable } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { KafkaClient } from '../kafka/kafka-client';

export type ReadinessCheck = () => Promise<void>;
/** false for a service that serves without Kafka (instance-service): its readiness leaves Kafka out. */
export const KAFKA_IN_READINESS = Symbol('KAFKA_IN_READINESS');

/** Extra readiness conditions a service registers (e.g. "the instances consumer has joined"). */
@Injectable()
export class ReadinessChecks {
  private readonly checks = new Map<string, ReadinessCheck>();
  add(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }
  entries(): [string, ReadinessCheck][] {
    return [...this.checks.entries()];
  }
}

@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @Inject(KafkaClient) private readonly kafka: KafkaClient,
    private readonly readiness: ReadinessChecks,
    @Inject(KAFKA_IN_READINESS) private readonly kafkaInReadiness: boolean,
  ) {}

  /** The process is up and its event loop turns. */
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Ready = Postgres and (unless the service serves without it) Kafka answer, and every registered
   * condition holds: what a load balancer needs to send this replica work. */
  @Get('ready')
  @HealthCheck()
  ready() {
    const probe = (name: string, check: ReadinessCheck) => async () => {
      const indicator = this.indicators.check(name);
      try {
        await check();
        return indicator.up();
      } catch (error) {
        return indicator.down({ message: error instanceof Error ? error.message : String(error) });
      }
    };
    return this.health.check([
      () => this.database.pingCheck('postgres', { timeout: 3000 }),
      ...(this.kafkaInReadiness ? [probe('kafka', () => this.kafka.ping())] : []),
      ...this.readiness.entries().map(([name, check]) => probe(name, check)),
    ]);
  }
}
