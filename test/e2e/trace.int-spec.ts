import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '@pollcast/dev';
import { waitFor } from '@pollcast/testing';
import { startPlatform, type RunningPlatform } from '../support/platform';
import { topicName } from '@pollcast/contracts';
import { createInstance, Simulator, sinkRequests, TopicReader } from '../support/e2e-helpers';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver';

const SERVICES = ['instance-service', 'poller-service', 'normalizer', 'dispatcher'];
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

describe('end to end: one trace from the poll to the callback', () => {
  let receiver: OtlpReceiver;
  let platform: RunningPlatform;
  let events: TopicReader | undefined;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    platform = await startPlatform({
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '200',
      },
    });
  }, 240000);

  afterAll(async () => {
    await events?.stop();
    await platform?.stop();
    await receiver?.stop();
  });

  it('connects poller, normalizer, dispatcher and instance-service spans, and the callback joins the trace', async () => {
    await createInstance(platform, {
      name: 'traced',
      callbackUrl: `${platform.sinkUrl}/hooks/trace`,
      refreshInterval: '2',
      pollerConfiguration: { contacts: {} },
      // Signed: the dispatcher asks instance-service for the key, so its span joins the trace too.
      signatureKey: 'trace-signing-key-0123456789',
    });
    // A contact needs a company; the instance polls contacts only, so this one is no event.
    const sim = new Simulator(platform.simUrl);
    const company = await sim.create('AbEntry', { Type: 'Company', CompanyName: 'Traced Ltd' });
    await new Promise((resolve) => setTimeout(resolve, 5000)); // the first poll, before the change

    events = new TopicReader(topicName('events', platform.topicPrefix));
    await events.start();

    // The one change.
    const contact = await sim.create('AbEntry', {
      Type: 'Contact',
      FirstName: 'Trace',
      LastName: 'Me',
      ParentKey: company.Key,
    });
    const [callback] = await waitFor(
      async () => {
        const requests = await sinkRequests(platform.sinkUrl, '/hooks/trace');
        return requests.length > 0 && requests;
      },
      { what: 'the callback at the sink', timeoutMs: 60000, intervalMs: 500 },
    );
    expect(callback?.body).toContain(contact.Key);
    const [, traceId, callbackSpanId] = TRACEPARENT.exec(callback?.headers.traceparent ?? '') ?? [];
    expect(traceId).toBeDefined();

    const traceSpans = () => receiver.spans.filter((span) => span.traceId === traceId);
    // Each service exports in its own batches (a parent often ends after its child): wait until every
    // parent has arrived, then check; on a timeout the checks below say what is missing.
    const spans = await waitFor(
      () => {
        const found = traceSpans();
        const services = new Set(found.map((span) => span.service));
        const ids = new Set(found.map((span) => span.spanId));
        const complete =
          SERVICES.every((service) => services.has(service)) &&
          found.some((span) => span.name === 'poll') &&
          found.some((span) => span.spanId === callbackSpanId) &&
          found.every((span) => span.parentSpanId === undefined || ids.has(span.parentSpanId));
        return complete && found;
      },
      { what: 'the spans of the trace at the OTLP receiver', timeoutMs: 30000, intervalMs: 300 },
    ).catch(() => traceSpans());
    const describeSpans = (list: ReceivedSpan[]) => list.map((span) => `${span.service} ${span.name}`);

    // One connected trace: the poll is its only root, every other span's parent is in it.
    const ids = new Set(spans.map((span) => span.spanId));
    const roots = spans.filter((span) => span.parentSpanId === undefined);
    expect(describeSpans(roots)).toEqual(['poller-service poll']);
    expect(describeSpans(spans.filter((span) => span.parentSpanId && !ids.has(span.parentSpanId)))).toEqual(
      [],
    );

    // Every hop, in order: walk up from the callback's span to the poll.
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const chain: string[] = [];
    for (let span = byId.get(callbackSpanId ?? ''); span; span = byId.get(span.parentSpanId ?? '')) {
      chain.unshift(`${span.service} ${span.name}`);
    }
    expect(chain).toEqual([
      'poller-service poll',
      `poller-service publish ${platform.topicPrefix}pollcast.changes.raw.v1`,
      'normalizer normalize',
      'dispatcher record event',
      'dispatcher deliver notification',
      'dispatcher POST callback',
    ]);
    expect(describeSpans(spans)).toEqual(
      expect.arrayContaining([
        'poller-service provider request',
        'dispatcher GET /internal/instances/{id}/delivery',
        'instance-service GET /internal/instances/:id/delivery',
      ]),
    );

    // Direct consumers of the events topic get the trace as W3C and as CloudEvents' extension.
    const event = await waitFor(
      () =>
        events?.messages.find((message) => (message.value as { objectId: string }).objectId === contact.Key),
      { what: 'the event on the topic', timeoutMs: 30000 },
    );
    expect(event.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(event.headers.ce_traceparent).toBe(event.headers.traceparent);

    // Logs join the trace on trace_id.
    const logDir = join(REPO_ROOT, '.data', 'test', 'logs', platform.topicPrefix.slice(0, -1));
    const logged: string[] = [];
    for (const file of await readdir(logDir)) {
      const lines = (await readFile(join(logDir, file), 'utf8')).split('\n');
      if (lines.some((line) => line.includes(`"trace_id":"${traceId}"`))) logged.push(file);
    }
    // instance-service's request line of the dispatcher's delivery-settings call, at least.
    expect(logged).toContain('instance-service.log');
  }, 180000);
});
