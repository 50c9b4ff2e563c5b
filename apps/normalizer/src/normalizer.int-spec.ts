import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { Admin, Consumer } from 'kafkajs';
import { Client } from 'pg';
import pino from 'pino';
import {
  HEADERS,
  objectKey,
  standardEventSchema,
  topicName,
  type RawChange,
  type StandardEvent,
} from '@pollcast/contracts';
import { KafkaClient, startService, type RunningService } from '@pollcast/service-kit';
import { createTestDatabase, kafkaBrokers, uniqueName, waitFor } from '@pollcast/testing';
import { AppModule } from './app.module';
import { envSchema, type Env } from './env';

const logger = pino({ level: 'silent' });
const ISO_MS = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX";

interface SeenEvent {
  partition: number;
  offset: number;
  key: string;
  headers: Record<string, string>;
  event: StandardEvent;
}

describe('normalizer on the real broker and database', () => {
  const prefix = `${uniqueName('norm')}.`;
  const rawTopic = topicName('rawChanges', prefix);
  const eventsTopic = topicName('events', prefix);
  const dlqTopic = topicName('rawChangesDlq', prefix);
  const groupId = `${prefix}pollcast-normalizer`;
  const client = new KafkaClient(uniqueName('norm-test-'), kafkaBrokers().split(','), logger);
  const seen: SeenEvent[] = [];
  const dlq: { key: string; value: string; headers: Record<string, string> }[] = [];
  const readUpTo = new Map<string, number>(); // `${topic}:${partition}` -> next offset read
  let service: RunningService<Env> | undefined;
  let databaseUrl = '';
  let admin: Admin;
  let readers: Consumer[] = [];

  const start = async () => {
    service = await startService({
      service: 'normalizer',
      envSchema,
      createModule: (env) => AppModule.register(env),
      env: {
        KAFKA_BROKERS: kafkaBrokers(),
        DATABASE_URL: databaseUrl,
        POLLCAST_TOPIC_PREFIX: prefix,
        KAFKA_TOPIC_PARTITIONS: '3',
        NORMALIZER_MAX_EVENT_BYTES: '20000',
        PORT: '0',
        LOG_LEVEL: 'silent',
      },
    });
  };

  const headersOf = (raw: Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined) =>
    Object.fromEntries(
      Object.entries(raw ?? {}).map(([name, value]) => [
        name,
        String(Array.isArray(value) ? value[0] : value),
      ]),
    );

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('normalizer');
    await start();
    admin = client.kafka.admin();
    await admin.connect();
    // Plain readers of the output topics, as any Kafka client would read them.
    for (const topic of [eventsTopic, dlqTopic]) {
      const reader = client.kafka.consumer({ groupId: uniqueName('reader-'), maxWaitTimeInMs: 100 });
      await reader.connect();
      await reader.subscribe({ topic, fromBeginning: true });
      await reader.run({
        eachMessage: async ({ partition, message }) => {
          const headers = headersOf(message.headers);
          const key = message.key?.toString() ?? '';
          const value = message.value?.toString() ?? '';
          if (topic === eventsTopic) {
            seen.push({ partition, offset: Number(message.offset), key, headers, event: JSON.parse(value) });
          } else {
            dlq.push({ key, value, headers });
          }
          readUpTo.set(`${topic}:${partition}`, Number(message.offset) + 1);
        },
      });
      readers.push(reader);
    }
  });

  afterAll(async () => {
    await Promise.all(readers.map((reader) => reader.disconnect()));
    readers = [];
    await admin?.disconnect();
    await service?.close();
    await client.disconnect();
  });

  /** Every raw change so far is processed (offsets committed after publish and state commit) and the
   * readers have read everything published to the output topics. */
  async function settle(): Promise<void> {
    await waitFor(
      async () => {
        const ends = await admin.fetchTopicOffsets(rawTopic);
        const [committed] = await admin.fetchOffsets({ groupId, topics: [rawTopic] });
        const done = ends.every((end) => {
          const offset = committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
          return Number(end.high) === 0 || Number(offset) >= Number(end.high);
        });
        if (!done) return false;
        for (const topic of [eventsTopic, dlqTopic]) {
          for (const end of await admin.fetchTopicOffsets(topic)) {
            if ((readUpTo.get(`${topic}:${end.partition}`) ?? 0) < Number(end.high)) return false;
          }
        }
        return true;
      },
      { what: 'the normalizer and the readers to catch up', timeoutMs: 60000 },
    );
  }

  const eventsOf = (instanceId: string) => seen.filter(({ event }) => event.instanceId === instanceId);

  function rawChange(
    instanceId: string,
    record: Record<string, unknown>,
    window: { from: string; to: string },
    overrides: Partial<RawChange> = {},
  ): RawChange {
    return {
      instanceId,
      organizationId: 'org-1',
      elementKey: 'maximizer',
      resource: 'contacts',
      objectId: typeof record['Key'] === 'string' ? record['Key'] : 'no-key',
      record,
      pollId: `poll-${window.from}`,
      window,
      polledAt: window.to,
      page: 0,
      updated: { field: 'LastModifyDate', format: ISO_MS, zone: 'GMT' },
      createdCheckTolerance: 10,
      filterByUpdatedDate: true,
      ...overrides,
    };
  }

  async function publishRaw(changes: ReadonlyArray<RawChange>): Promise<void> {
    await client.publish(
      rawTopic,
      changes.map((change) => ({
        key: objectKey(change.instanceId, change.resource, change.objectId),
        value: change,
        headers: { [HEADERS.correlationId]: change.pollId },
      })),
    );
  }

  it('overlapping windows, a retried poll and an out-of-order re-read produce each change once', async () => {
    const instanceId = uniqueName('overlap-');
    const poll1 = { from: '2024-01-15T10:00:00.000Z', to: '2024-01-15T10:05:00.000Z' };
    // The poller's next window starts 2 minutes before the last one ended (its overlap).
    const poll2 = { from: '2024-01-15T10:03:00.000Z', to: '2024-01-15T10:10:00.000Z' };
    const at = (time: string) => `2024-01-15T${time}.000Z`;
    await publishRaw([
      rawChange(instanceId, { Key: 'a', LastModifyDate: at('10:01:00') }, poll1),
      rawChange(instanceId, { Key: 'b', LastModifyDate: at('10:02:00'), Name: 'Bee' }, poll1),
      rawChange(instanceId, { Key: 'c', LastModifyDate: at('10:04:00') }, poll1),
      rawChange(instanceId, { Key: 'f', LastModifyDate: at('10:03:00') }, poll1),
    ]);
    const poll2Records = [
      rawChange(instanceId, { Key: 'c', LastModifyDate: at('10:04:00') }, poll2), // overlap re-read
      rawChange(instanceId, { Key: 'f', LastModifyDate: at('10:03:00') }, poll2), // = window start (>= provider)
      rawChange(instanceId, { Key: 'b', LastModifyDate: at('10:06:00'), Name: 'Bea' }, poll2), // edited
      rawChange(instanceId, { Key: 'd', LastModifyDate: at('10:08:00') }, poll2), // new
    ];
    await publishRaw(poll2Records);
    await publishRaw(poll2Records.map((change) => ({ ...change, pollId: 'poll-2-retry' }))); // whole poll again
    // b's old version arriving late (a slow page of an old poll).
    await publishRaw([
      rawChange(instanceId, { Key: 'b', LastModifyDate: at('10:02:00'), Name: 'Bee' }, poll1),
    ]);
    await settle();

    const events = eventsOf(instanceId).map(
      ({ event }) => `${event.objectId} ${event.eventType} ${event.date}`,
    );
    expect(events.sort()).toEqual(
      [
        `a CREATED ${at('10:01:00')}`,
        `b CREATED ${at('10:02:00')}`,
        `b UPDATED ${at('10:06:00')}`,
        `c CREATED ${at('10:04:00')}`,
        `d CREATED ${at('10:08:00')}`,
        `f CREATED ${at('10:03:00')}`,
      ].sort(),
    );
    expect(new Set(eventsOf(instanceId).map(({ event }) => event.eventId)).size).toBe(6);

    const metrics = await (await fetch(`${service?.url}/metrics`)).text();
    expect(metrics).toMatch(
      /pollcast_normalizer_suppressed_total\{reason="duplicate",component="normalizer"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /pollcast_normalizer_suppressed_total\{reason="before_window",component="normalizer"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /pollcast_normalizer_suppressed_total\{reason="stale",component="normalizer"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /pollcast_normalizer_events_total\{type="CREATED",component="normalizer"\} [1-9]/,
    );
  });

  it('deletions: one DELETED per deletion (a repeated report is nothing), and a record seen again is CREATED again', async () => {
    const instanceId = uniqueName('deleted-');
    const poll = { from: '2024-01-15T10:00:00.000Z', to: '2024-01-15T10:05:00.000Z' };
    const at = (time: string) => `2024-01-15T${time}.000Z`;
    const deletion = (objectId: string, pollId: string): RawChange =>
      rawChange(instanceId, {}, { from: poll.to, to: at('10:06:00') }, { objectId, pollId, deleted: true });
    await publishRaw([
      rawChange(instanceId, { Key: 'a', LastModifyDate: at('10:01:00') }, poll),
      rawChange(instanceId, { Key: 'b', LastModifyDate: at('10:02:00') }, poll),
      deletion('a', 'reconcile-1'),
      // The same deletion again: a reconciliation redone after a crash, through another replica.
      deletion('a', 'reconcile-2'),
      // A late read of the version that was deleted is not a re-creation…
      rawChange(instanceId, { Key: 'a', LastModifyDate: at('10:01:00') }, poll),
      // …a newer one is.
      rawChange(
        instanceId,
        { Key: 'a', LastModifyDate: at('10:07:00') },
        { from: at('10:06:00'), to: at('10:10:00') },
      ),
      deletion('a', 'reconcile-3'),
      // An object this normalizer never saw: DELETED all the same (the subscriber may hold it).
      deletion('z', 'reconcile-3'),
      deletion('z', 'reconcile-4'),
    ]);
    await settle();
    const events = eventsOf(instanceId).map(({ event }) => event);
    // Per object in order (objects are spread over partitions, so only each one's own order holds).
    const history = (objectId: string) =>
      events.filter((event) => event.objectId === objectId).map((event) => `${event.eventType} ${event.op}`);
    expect(history('a')).toEqual(['CREATED c', 'DELETED d', 'CREATED c', 'DELETED d']);
    expect(history('b')).toEqual(['CREATED c']);
    expect(history('z')).toEqual(['DELETED d']);
    expect(new Set(events.map((event) => event.eventId)).size).toBe(6);
    const [firstDeletion] = events.filter((event) => event.objectId === 'a' && event.eventType === 'DELETED');
    expect(firstDeletion).toMatchObject({ raw: {}, pollId: 'reconcile-1', date: at('10:06:00') });
    const deletedHeaders = eventsOf(instanceId).find(({ event }) => event.eventType === 'DELETED')?.headers;
    expect(deletedHeaders?.['ce_type']).toBe('pollcast.contacts.deleted');
  });

  it('classifies CREATED / UPDATED by created vs updated with tolerance and zones, and keeps bad dates', async () => {
    const instanceId = uniqueName('classify-');
    const window = { from: '2024-07-04T10:00:00.000Z', to: '2024-07-04T10:10:00.000Z' };
    const withCreated: Partial<RawChange> = {
      created: { field: 'Created.At', format: 'yyyy-MM-dd HH:mm:ss', zone: 'America/Toronto' },
      createdCheckTolerance: 5,
    };
    const record = (key: string, updated: unknown, created: string) => ({
      Key: key,
      LastModifyDate: updated,
      Created: { At: created },
    });
    await publishRaw([
      // 06:01 in Toronto (EDT) = 10:01Z: read in GMT it would be 4 h earlier and look like an update.
      rawChange(
        instanceId,
        record('within', '2024-07-04T10:01:04.000Z', '2024-07-04 06:01:00'),
        window,
        withCreated,
      ),
      rawChange(
        instanceId,
        record('beyond', '2024-07-04T10:01:06.000Z', '2024-07-04 06:01:00'),
        window,
        withCreated,
      ),
      rawChange(
        instanceId,
        record('offset', '2024-07-04T06:01:03.000-04:00', '2024-07-04 06:01:00'),
        window,
        withCreated,
      ),
      rawChange(instanceId, record('garbled', 'yesterday', '2024-07-04 06:01:00'), window, withCreated),
      rawChange(
        instanceId,
        record('old', '2024-07-04T09:59:59.999Z', '2024-07-04 05:00:00'),
        window,
        withCreated,
      ),
      // Epoch milliseconds, no created field: first sight CREATED, then UPDATED.
      rawChange(instanceId, { Key: 'epoch', Modified: Date.parse('2024-07-04T10:02:00Z') }, window, {
        updated: { field: 'Modified', format: 'milliseconds', zone: 'GMT' },
      }),
      // filterByUpdatedDate=false: the created date decides the window.
      rawChange(
        instanceId,
        record('created-before', '2024-07-04T10:03:00.000Z', '2024-07-04 05:00:00'),
        window,
        {
          ...withCreated,
          filterByUpdatedDate: false,
        },
      ),
      rawChange(
        instanceId,
        record('created-inside', '2024-07-04T10:03:00.000Z', '2024-07-04 06:03:00'),
        window,
        {
          ...withCreated,
          filterByUpdatedDate: false,
        },
      ),
    ]);
    await publishRaw([
      rawChange(instanceId, { Key: 'epoch', Modified: Date.parse('2024-07-04T10:04:00Z') }, window, {
        updated: { field: 'Modified', format: 'milliseconds', zone: 'GMT' },
      }),
    ]);
    await settle();

    const byObject = new Map<string, StandardEvent>(
      eventsOf(instanceId).map(({ event }) => [`${event.objectId}@${event.date}`, event] as const),
    );
    expect([...byObject.keys()].sort()).toEqual(
      [
        'within@2024-07-04T10:01:04.000Z',
        'beyond@2024-07-04T10:01:06.000Z',
        'offset@2024-07-04T10:01:03.000Z',
        'garbled@2024-07-04T10:01:00.000Z', // the created date stands in for the unreadable updated date
        'epoch@2024-07-04T10:02:00.000Z',
        'epoch@2024-07-04T10:04:00.000Z',
        'created-inside@2024-07-04T10:03:00.000Z',
      ].sort(),
    );
    const typeOf = (key: string) => byObject.get(key)?.eventType;
    expect(typeOf('within@2024-07-04T10:01:04.000Z')).toBe('CREATED');
    expect(typeOf('beyond@2024-07-04T10:01:06.000Z')).toBe('UPDATED');
    expect(typeOf('offset@2024-07-04T10:01:03.000Z')).toBe('CREATED');
    expect(typeOf('epoch@2024-07-04T10:02:00.000Z')).toBe('CREATED');
    expect(typeOf('epoch@2024-07-04T10:04:00.000Z')).toBe('UPDATED');
    expect(typeOf('created-inside@2024-07-04T10:03:00.000Z')).toBe('CREATED');
    const garbled = byObject.get('garbled@2024-07-04T10:01:00.000Z');
    expect(garbled).toMatchObject({
      eventType: 'UPDATED',
      op: 'u',
      dateError: expect.stringContaining('yesterday'),
    });
    expect(byObject.get('within@2024-07-04T10:01:04.000Z')).toMatchObject({ op: 'c' });
  });

  it('sends poison messages to the DLQ with the reason while the partition keeps flowing', async () => {
    const instanceId = uniqueName('poison-');
    const window = { from: '2024-01-15T10:00:00.000Z', to: '2024-01-15T10:05:00.000Z' };
    const key = objectKey(instanceId, 'contacts', 'p');
    const good = (minute: string) =>
      rawChange(instanceId, { Key: 'p', LastModifyDate: `2024-01-15T10:0${minute}:00.000Z` }, window);
    const producer = await client.producer();
    await publishRaw([good('1')]);
    await producer.send({ topic: rawTopic, messages: [{ key, value: '{not json' }] });
    await client.publish(rawTopic, [{ key, value: { ...good('2'), window: { from: 'last tuesday' } } }]);
    await publishRaw([good('2')]);
    // Deterministic processing failure: the event would be larger than NORMALIZER_MAX_EVENT_BYTES.
    await publishRaw([
      rawChange(
        instanceId,
        { Key: 'p', LastModifyDate: '2024-01-15T10:03:00.000Z', Notes: 'x'.repeat(30000) },
        window,
      ),
    ]);
    await publishRaw([good('4')]);
    await settle();

    expect(eventsOf(instanceId).map(({ event }) => `${event.eventType} ${event.date}`)).toEqual([
      'CREATED 2024-01-15T10:01:00.000Z',
      'UPDATED 2024-01-15T10:02:00.000Z',
      'UPDATED 2024-01-15T10:04:00.000Z',
    ]);
    const dead = dlq.filter((message) => message.key === key);
    expect(dead.map((message) => message.headers[HEADERS.dlqReason])).toEqual([
      expect.stringMatching(/not JSON/),
      expect.stringMatching(/does not match the schema: window\.from/),
      expect.stringMatching(/bytes, above the 20000 limit/),
    ]);
    expect(dead[0]?.value).toBe('{not json');
    expect(dead[2]?.headers[HEADERS.dlqService]).toBe('normalizer');
    expect(dead[2]?.headers[HEADERS.correlationId]).toBe(good('1').pollId);
    const metrics = await (await fetch(`${service?.url}/metrics`)).text();
    expect(metrics).toMatch(/pollcast_normalizer_dead_lettered_total\{component="normalizer"\} [3-9]/);
  });

  it('dead-letters a raw change holding text PostgreSQL refuses (U+0000, lone surrogate) before publishing an event; the rest of the batch goes on, in order', async () => {
    // Not from our poller (it replaces such characters): a producer that is not ours.
    const instanceId = uniqueName('nul-');
    const window = { from: '2024-01-15T10:00:00.000Z', to: '2024-01-15T10:05:00.000Z' };
    const change = (objectId: string, minute: string, extra: Record<string, unknown> = {}) =>
      rawChange(
        instanceId,
        { Key: objectId, LastModifyDate: `2024-01-15T10:0${minute}:00.000Z`, ...extra },
        window,
      );
    // One key for all: one partition, one batch, in this order.
    const key = objectKey(instanceId, 'contacts', 'same');
    await client.publish(
      rawTopic,
      [
        change('before', '1'),
        change('nul\u0000id', '2'),
        change('lone', '3', { Notes: 'x\uDC00' }),
        change('after', '4'),
      ].map((value) => ({ key, value, headers: { [HEADERS.correlationId]: value.pollId } })),
    );
    await settle();

    // The events topic is keyed per object, so 'before' and 'after' may land on different
    // partitions: their order across partitions is not defined. The raw batch's order shows in
    // the DLQ below (one key, one partition).
    expect(
      eventsOf(instanceId)
        .map(({ event }) => event.objectId)
        .sort(),
    ).toEqual(['after', 'before']);
    const dead = dlq.filter((message) => message.key === key);
    expect(dead.map((message) => (JSON.parse(message.value) as RawChange).objectId)).toEqual([
      'nul\u0000id',
      'lone',
    ]);
    expect(dead.map((message) => message.headers[HEADERS.dlqReason])).toEqual([
      'text PostgreSQL cannot store (U+0000 or a lone surrogate) at objectId',
      'text PostgreSQL cannot store (U+0000 or a lone surrogate) at record.Notes',
    ]);
    expect(dead[0]?.headers).toMatchObject({
      [HEADERS.dlqService]: 'normalizer',
      [HEADERS.dlqAttempts]: '1',
    });
    const metrics = await (await fetch(`${service?.url}/metrics`)).text();
    expect(metrics).toMatch(/pollcast_consumer_dead_lettered_total\{[^}]*reason="unstorable_text"[^}]*\} 2/);
  });

  it('publishes a full fetch of large records (more than the broker takes in one request) and dedupes it', async () => {
    const instanceId = uniqueName('bulk-');
    const window = { from: '2024-01-15T10:00:00.000Z', to: '2024-01-15T11:00:00.000Z' };
    const changes = Array.from({ length: 4000 }, (_, index) =>
      rawChange(
        instanceId,
        {
          Key: `obj-${index}`,
          LastModifyDate: new Date(Date.parse(window.from) + 1000 + index).toISOString(),
          Notes: 'n'.repeat(900),
        },
        window,
      ),
    );
    // Produced before a fetch can start, so the normalizer gets about 1 MiB of raw changes per
    // partition in one batch: more than 1 MiB of events.
    // Twice: the second time everything is an unchanged re-read.
    for (const batch of [changes, changes]) {
      for (let start = 0; start < batch.length; start += 500)
        await publishRaw(batch.slice(start, start + 500));
    }
    await settle();
    const events = eventsOf(instanceId);
    expect(events).toHaveLength(4000);
    expect(new Set(events.map(({ event }) => event.objectId)).size).toBe(4000);
  });

  it('a plain Kafka consumer reads the events, their key and CloudEvents headers (kcat when installed)', async () => {
    await settle();
    const schema: unknown = JSON.parse(
      readFileSync(resolve(__dirname, '../../../docs/events.schema.json'), 'utf8'),
    );
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(schema as object);
    const fromKcat = await readWithKcat(eventsTopic);
    // Without kcat, the kafkajs reader above (no Pollcast code involved) is the plain consumer.
    const read = fromKcat ?? seen;
    expect(read.length).toBe(seen.length);
    expect(read.length).toBeGreaterThan(10);
    for (const { key, headers, event } of read) {
      expect(validate(event) ? 'valid' : validate.errors).toBe('valid');
      expect(standardEventSchema.parse(event)).toEqual(event);
      expect(key).toBe(`${event.instanceId}/${event.objectType}/${event.objectId}`);
      expect(headers).toEqual({
        ce_specversion: '1.0',
        ce_id: event.eventId,
        ce_source: `/instances/${event.instanceId}`,
        ce_type: `pollcast.contacts.${event.eventType.toLowerCase()}`,
        ce_time: event.date,
        ce_subject: event.objectId,
        'content-type': 'application/json',
        'pollcast-correlation-id': event.pollId,
      });
      expect(event.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it('a raw change redelivered after a crash between publish and state commit gets the same event id', async () => {
    const instanceId = uniqueName('crash-');
    const window = { from: '2024-01-15T10:00:00.000Z', to: '2024-01-15T10:05:00.000Z' };
    const change = rawChange(instanceId, { Key: 'z', LastModifyDate: '2024-01-15T10:01:00.000Z' }, window);
    const database = new Client({ connectionString: databaseUrl });
    await database.connect();
    try {
      // The state commit fails (as if the process died right after the broker acknowledged the event).
      await database.query(`
        CREATE FUNCTION normalizer.refuse_writes() RETURNS trigger LANGUAGE plpgsql AS
          $$ BEGIN RAISE EXCEPTION 'simulated crash before the state commit'; END $$;
        CREATE TRIGGER refuse_writes BEFORE INSERT OR UPDATE ON normalizer.object_state
          FOR EACH ROW EXECUTE FUNCTION normalizer.refuse_writes();`);
      await publishRaw([change]);
      await waitFor(() => eventsOf(instanceId).length >= 1, { what: 'the first emission' });
      await service?.close(); // the crash: neither the state nor the offset is committed
      service = undefined;
      await database.query('DROP TRIGGER refuse_writes ON normalizer.object_state');
      await start(); // a new process in the same group gets the raw change again
      await settle();
      // The row exists, so the new process redid the batch (the old one never could write it); every
      // emission, the old process's retries included, carries the one id.
      const ids = eventsOf(instanceId).map(({ event }) => event.eventId);
      expect(ids.length).toBeGreaterThanOrEqual(2);
      expect(new Set(ids).size).toBe(1);
      const stored = await database.query<{ last_event_id: string }>(
        'SELECT last_event_id FROM normalizer.object_state WHERE instance_id = $1',
        [instanceId],
      );
      expect(stored.rows).toEqual([{ last_event_id: ids[0] }]);
      // Now committed: the next re-read of the same change is suppressed.
      const before = ids.length;
      await publishRaw([{ ...change, pollId: 'poll-next' }]);
      await settle();
      expect(eventsOf(instanceId)).toHaveLength(before);
    } finally {
      await database.end();
    }
  });
});

const execFileAsync = promisify(execFile);

/** Reads a topic with kcat (`-C -J -e`), or returns undefined when kcat is not installed. */
async function readWithKcat(topic: string): Promise<SeenEvent[] | undefined> {
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync(
      'kcat',
      ['-C', '-b', kafkaBrokers().split(',')[0] ?? '', '-t', topic, '-o', 'beginning', '-J', '-e', '-q'],
      { timeout: 60000, maxBuffer: 64 * 1024 * 1024 },
    ));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const message = JSON.parse(line) as {
        partition: number;
        offset: number;
        key: string;
        payload: string;
        headers?: string[];
      };
      const headers: Record<string, string> = {};
      const flat = message.headers ?? [];
      for (let index = 0; index + 1 < flat.length; index += 2)
        headers[flat[index] ?? ''] = flat[index + 1] ?? '';
      return {
        partition: message.partition,
        offset: message.offset,
        key: message.key,
        headers,
        event: JSON.parse(message.payload) as StandardEvent,
      };
    });
}
