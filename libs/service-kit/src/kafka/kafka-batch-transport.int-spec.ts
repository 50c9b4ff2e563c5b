import {
  Controller,
  Inject,
  Injectable,
  Module,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type { Admin } from 'kafkajs';
import pino from 'pino';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { HEADERS, topicName } from '@pollcast/contracts';
import { createTestDatabase, kafkaBrokers, uniqueName, waitFor } from '@pollcast/testing';
import { startService, type RunningService } from '../bootstrap';
import { baseEnvSchema, envSchemas } from '../config/env';
import { serviceAppModule } from '../service-kit.module';
import type { BatchContext, ConsumedMessage } from './consumer-runner';
import { PoisonMessageError, TransientConsumerError } from './failure-policy';
import { KafkaBatchHandler } from './kafka-batch-handler';
import { KafkaClient } from './kafka-client';

jest.setTimeout(60_000);

const valueSchema = z.object({ n: z.number().int() });
type Value = z.infer<typeof valueSchema>;
type Batch = ReadonlyArray<ConsumedMessage<Value | null>>;

/** What the handler does with a batch; each test sets it. */
let behaviour: (batch: Batch, context: BatchContext<Value | null>) => Promise<void> = async () => undefined;
/** What happened, in order: handled messages and lifecycle steps. */
const journal: string[] = [];

@Controller()
class NumbersConsumer {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  @KafkaBatchHandler('rawChanges', {
    schema: valueSchema,
    consumer: (env) => ({ groupId: `${env.POLLCAST_TOPIC_PREFIX}numbers` }),
  })
  async handle(@Payload() batch: Batch, @Ctx() context: BatchContext<Value | null>): Promise<void> {
    await behaviour(batch, context);
    // Fails if the database closed before the batch ended.
    await this.dataSource.query('SELECT 1');
  }
}

@Injectable()
class ShutdownWitness implements BeforeApplicationShutdown, OnApplicationShutdown {
  beforeApplicationShutdown(): void {
    journal.push('the service drains its own work');
  }
  onApplicationShutdown(): void {
    journal.push('producer and database closing');
  }
}

@Module({})
class NumbersModule {}

const envSchema = baseEnvSchema.extend({ PORT: envSchemas.port.default(0) });

describe('KafkaBatchTransport: @KafkaBatchHandler methods on the real broker', () => {
  const logger = pino({ level: 'silent' });
  const client = new KafkaClient(uniqueName('transport-test-'), kafkaBrokers().split(','), logger);
  let prefix = '';
  let databaseUrl = '';
  let service: RunningService | undefined;
  let admin: Admin;

  const topic = () => topicName('rawChanges', prefix);
  const start = async () => {
    service = await startService({
      service: 'transport-test',
      envSchema,
      createModule: (env) =>
        serviceAppModule(NumbersModule, env, {
          service: 'transport-test',
          database: { schema: 'transport_test', entities: [], migrations: [] },
          topics: ['rawChanges', 'rawChangesDlq'],
          controllers: [NumbersConsumer],
          providers: [ShutdownWitness],
        }),
      env: {
        KAFKA_BROKERS: kafkaBrokers(),
        DATABASE_URL: databaseUrl,
        POLLCAST_TOPIC_PREFIX: prefix,
        KAFKA_TOPIC_PARTITIONS: '1',
        KAFKA_CONSUMER_MAX_DETERMINISTIC_ATTEMPTS: '1',
        PORT: '0',
        LOG_LEVEL: 'silent',
      },
    });
    return service;
  };
  const committed = async (): Promise<number> => {
    const [offsets] = await admin.fetchOffsets({ groupId: `${prefix}numbers`, topics: [topic()] });
    return Number(offsets?.partitions[0]?.offset ?? -1);
  };
  const publish = (...numbers: number[]) =>
    client.publish(
      topic(),
      numbers.map((n) => ({ key: 'k', value: { n } })),
    );

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('transport');
    admin = client.kafka.admin();
    await admin.connect();
  });

  beforeEach(() => {
    prefix = `${uniqueName('transport')}.`;
    journal.length = 0;
    behaviour = async () => undefined;
  });

  afterEach(async () => {
    await service?.close();
    service = undefined;
  });

  afterAll(async () => {
    await admin.disconnect();
    await client.disconnect();
  });

  it('is ready once the consumer runs; a deterministic failure goes to the DLQ and the partition goes on', async () => {
    behaviour = async (batch) => {
      for (const message of batch) {
        if (message.value?.n === 2) throw new PoisonMessageError('two is not allowed');
      }
      for (const message of batch) journal.push(`handled ${message.value?.n}`);
    };
    const running = await start();
    const ready = await fetch(`${running.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(JSON.stringify(await ready.json())).toContain('rawChanges-consumer');

    await publish(1, 2, 3);
    await waitFor(async () => (await committed()) === 3, { what: 'all three offsets committed' });
    expect(journal).toContain('handled 1');
    expect(journal).toContain('handled 3');
    expect(journal).not.toContain('handled 2');

    const dlq: { value: string; headers: Record<string, string> }[] = [];
    const reader = client.kafka.consumer({ groupId: uniqueName('dlq-reader-') });
    await reader.connect();
    await reader.subscribe({ topic: topicName('rawChangesDlq', prefix), fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        dlq.push({
          value: message.value?.toString() ?? '',
          headers: Object.fromEntries(
            Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]),
          ),
        });
      },
    });
    await waitFor(() => dlq.length === 1, { what: 'the poison message in the DLQ' });
    await reader.disconnect();
    expect(dlq[0]?.value).toBe('{"n":2}');
    expect(dlq[0]?.headers[HEADERS.dlqService]).toBe('transport-test');
    // The handler's own error reached the failure policy (Nest's RPC filter would have made it "unknown").
    const metrics = await (await fetch(`${running.url}/metrics`)).text();
    expect(metrics).toMatch(/pollcast_consumer_dead_lettered_total\{[^}]*reason="poison"[^}]*\} 1/);
  });

  it('retries a transient failure with the same batch and commits only after the batch succeeded', async () => {
    let calls = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    behaviour = async (batch) => {
      calls += 1;
      if (calls <= 2) throw new TransientConsumerError('database briefly down');
      journal.push(`attempt ${calls}: ${batch.map((message) => message.value?.n).join(',')}`);
      await gate;
    };
    await start();
    await publish(7, 8);
    await waitFor(() => calls >= 3, { what: 'the third attempt' });
    // The batch is in the handler: nothing is committed yet.
    expect(await committed()).toBe(-1);
    release();
    await waitFor(async () => (await committed()) === 2, { what: 'the batch committed' });
    expect(journal).toEqual(['attempt 3: 7,8']);
  });

  it('at shutdown, finishes the batch in flight before anything else stops, and never commits half of it', async () => {
    await start();
    await publish(1); // a first batch, committed, so the group has an offset before the test batch
    await waitFor(async () => (await committed()) === 1, { what: 'the first batch committed' });
    let inFlight: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (inFlight = resolve));
    behaviour = async (batch) => {
      inFlight();
      for (const message of batch) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        journal.push(`handled ${message.value?.n}`);
      }
      journal.push('batch done');
    };
    await publish(10, 11, 12, 13, 14);
    await started;
    // What bootService does on SIGTERM.
    await service?.close();
    service = undefined;
    expect(journal).toEqual([
      'handled 10',
      'handled 11',
      'handled 12',
      'handled 13',
      'handled 14',
      'batch done',
      'the service drains its own work',
      'producer and database closing',
    ]);
    // Either the whole batch is committed or none of it (the next owner redoes it).
    expect([1, 6]).toContain(await committed());
  });
});
