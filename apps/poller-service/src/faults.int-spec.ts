import type { RunningService } from '@pollcast/service-kit';
import { waitFor } from '@pollcast/testing';
import type { Env } from './env';
import { RunDuePolls } from './polling/run-due-polls.use-case';
import { PollerHarness, resourceConfig } from './testing/harness';

jest.setTimeout(90_000);

let harness: PollerHarness;
let poller: RunningService<Env>;

beforeAll(async () => {
  harness = await PollerHarness.create();
  poller = await harness.startPoller({ POLLER_PROVIDER_TIMEOUT_MS: '1000', POLLER_PAGE_RETRIES: '3' });
});

afterAll(async () => {
  await harness?.close();
});

// Each test makes one live instance (harness.liveInstance), so the simulator's faults, which match by
// path, hit its polls.
afterEach(() => harness.sim.faults.clear());

async function removeInstance(instanceId: string, on: RunningService<Env> = poller): Promise<void> {
  await harness.publishTombstone(instanceId);
  await waitFor(async () => (await harness.schedule(instanceId, 'companies')) === undefined, {
    what: 'removal',
  });
  await waitFor(() => on.app.get(RunDuePolls).inFlight === 0, { what: 'no poll in flight' });
}

function readsSince(seq: number) {
  return harness.sim.requests.list({ path: '/octopus/Read' }).filter((request) => request.seq > seq);
}

const lastSeq = () => harness.sim.requests.list().at(-1)?.seq ?? 0;

describe('provider faults', () => {
  it('429: waits Retry-After, then the same poll goes on and succeeds', async () => {
    await harness.liveInstance('inst-429');
    const since = lastSeq();
    harness.sim.faults.add({ kind: 'rateLimit', count: 1, retryAfterSeconds: 1, path: '/octopus/Read' });
    harness.sim.store.create('AbEntry', { Type: 'Company', CompanyName: 'After 429' });
    await waitFor(
      () => harness.rawFor('inst-429').some((message) => message.value.record.CompanyName === 'After 429'),
      {
        what: 'the record after the 429',
      },
    );
    const reads = readsSince(since);
    const limited = reads.findIndex((request) => request.status === 429);
    expect(limited).toBeGreaterThanOrEqual(0);
    const retried = reads[limited + 1]!;
    expect(retried.status).toBe(200);
    expect(Date.parse(retried.at) - Date.parse(reads[limited]!.at)).toBeGreaterThanOrEqual(950);
    expect((await harness.runs('inst-429')).every((run) => run.status === 'succeeded')).toBe(true);
    await removeInstance('inst-429');
  });

  it('500 / 503: backs off and retries the page inside the poll', async () => {
    await harness.liveInstance('inst-5xx');
    const since = lastSeq();
    harness.sim.faults.add({ kind: 'serverError', status: 503, count: 1, path: '/octopus/Read' });
    harness.sim.faults.add({ kind: 'serverError', status: 500, count: 1, path: '/octopus/Read' });
    harness.sim.store.create('AbEntry', { Type: 'Company', CompanyName: 'After 5xx' });
    await waitFor(
      () => harness.rawFor('inst-5xx').some((message) => message.value.record.CompanyName === 'After 5xx'),
      {
        what: 'the record after the 5xx',
      },
    );
    const statuses = readsSince(since).map((request) => request.status);
    expect(statuses.slice(statuses.indexOf(503), statuses.indexOf(503) + 3)).toEqual([503, 500, 200]);
    expect((await harness.runs('inst-5xx')).every((run) => run.status === 'succeeded')).toBe(true);
    await removeInstance('inst-5xx');
  });

  it('a long outage fails polls without moving the watermark, marks the resource in error, and recovers', async () => {
    await harness.liveInstance('inst-outage');
    const before = await harness.schedule('inst-outage', 'companies');
    const fault = harness.sim.faults.add({
      kind: 'serverError',
      status: 500,
      count: 1000,
      path: '/octopus/Read',
    });
    const during = harness.sim.store.create('AbEntry', { Type: 'Company', CompanyName: 'During outage' });
    await waitFor(async () => (await harness.schedule('inst-outage', 'companies'))!.state === 'error', {
      what: 'the resource in error',
    });
    const inError = (await harness.schedule('inst-outage', 'companies'))!;
    expect(inError.consecutive_failures).toBeGreaterThanOrEqual(3);
    expect(inError.last_error).toMatch(/500/);
    // No poll since the outage began has advanced the watermark.
    const failedRuns = (await harness.runs('inst-outage')).filter((run) => run.status === 'failed');
    expect(failedRuns.length).toBeGreaterThanOrEqual(3);
    expect(failedRuns[0]!.error_kind).toBe('provider_retryable');
    expect(inError.watermark.getTime()).toBeLessThanOrEqual(Date.now());
    expect(inError.watermark.getTime()).toBe(
      Math.max(
        before!.watermark.getTime(),
        ...(await harness.runs('inst-outage'))
          .filter((r) => r.status === 'succeeded')
          .map((r) => r.window_to.getTime()),
      ),
    );
    const metrics = await (await fetch(`${poller.url}/metrics`)).text();
    expect(metrics).toMatch(
      /pollcast_poller_polls_failed_total\{[^}]*kind="provider_retryable"[^}]*\} [1-9]/,
    );
    expect(metrics).toMatch(/pollcast_poller_resources_in_error\{[^}]*resource="companies"[^}]*\} 1/);
    expect(
      harness.rawFor('inst-outage').some((message) => message.value.objectId === String(during.Key)),
    ).toBe(false);

    harness.sim.faults.remove(fault.id);
    await waitFor(
      () => harness.rawFor('inst-outage').some((message) => message.value.objectId === String(during.Key)),
      {
        what: 'the record changed during the outage',
      },
    );
    await waitFor(async () => (await harness.schedule('inst-outage', 'companies'))!.state === 'ok', {
      what: 'recovery',
    });
    await removeInstance('inst-outage');
  });

  it('timeout: a provider that does not answer is abandoned after the timeout and retried', async () => {
    await harness.liveInstance('inst-timeout');
    const since = lastSeq();
    harness.sim.faults.add({ kind: 'timeout', holdMs: 5000, count: 1, path: '/octopus/Read' });
    harness.sim.store.create('AbEntry', { Type: 'Company', CompanyName: 'After timeout' });
    await waitFor(
      () =>
        harness
          .rawFor('inst-timeout')
          .some((message) => message.value.record.CompanyName === 'After timeout'),
      { what: 'the record after the timeout' },
    );
    const reads = readsSince(since);
    const held = reads.findIndex((request) => request.fault === 'timeout');
    expect(held).toBeGreaterThanOrEqual(0);
    expect(Date.parse(reads[held + 1]!.at) - Date.parse(reads[held]!.at)).toBeGreaterThanOrEqual(900);
    expect((await harness.runs('inst-timeout')).every((run) => run.status === 'succeeded')).toBe(true);
    await removeInstance('inst-timeout');
  });

  it('401: asks instance-service for a fresh token once, naming the rejected one, and retries', async () => {
    await harness.liveInstance('inst-401');
    const tokenRequestsBefore = harness.instanceService.tokenRequests.length;
    harness.sim.faults.add({ kind: 'unauthorized', count: 1, path: '/octopus/Read' });
    harness.sim.store.create('AbEntry', { Type: 'Company', CompanyName: 'After 401' });
    await waitFor(
      () => harness.rawFor('inst-401').some((message) => message.value.record.CompanyName === 'After 401'),
      {
        what: 'the record after the 401',
      },
    );
    const refreshes = harness.instanceService.tokenRequests
      .slice(tokenRequestsBefore)
      .filter((request) => request.instanceId === 'inst-401' && request.forceRefresh);
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0]!.rejectedToken).toMatch(/.+/);
    expect((await harness.runs('inst-401')).every((run) => run.status === 'succeeded')).toBe(true);

    // A second 401 in a row fails the poll (no refresh loop); the next poll works again.
    harness.sim.faults.add({ kind: 'unauthorized', count: 2, path: '/octopus/Read' });
    await waitFor(
      async () => (await harness.runs('inst-401')).some((run) => run.error_kind === 'provider_unauthorized'),
      {
        what: 'a poll failed with unauthorized',
      },
    );
    const failedAt = (await harness.runs('inst-401')).findIndex(
      (run) => run.error_kind === 'provider_unauthorized',
    );
    await waitFor(
      async () =>
        (await harness.runs('inst-401')).slice(failedAt + 1).some((run) => run.status === 'succeeded'),
      {
        what: 'a successful poll after it',
      },
    );
    await removeInstance('inst-401');
  });

  it('refused credentials (409 from instance-service) mark the resource in error at once', async () => {
    harness.instanceService.invalidInstances.add('inst-invalid');
    await harness.publishSnapshot(harness.snapshot('inst-invalid'));
    await waitFor(async () => (await harness.schedule('inst-invalid', 'companies'))?.state === 'error', {
      what: 'the resource in error',
    });
    const [run] = await harness.runs('inst-invalid');
    expect(run).toMatchObject({ status: 'failed', error_kind: 'token_credentials_invalid' });
    await removeInstance('inst-invalid');
  });

  it('respects the per-instance request rate across pages', async () => {
    const limited = await harness.startPoller({
      POLLER_RATE_LIMIT_PER_SECOND: '4',
      POLLER_RATE_LIMIT_BURST: '1',
    });
    await harness.stopPoller(poller);
    try {
      for (let n = 0; n < 8; n += 1)
        harness.sim.store.create('AbEntry', { Type: 'Company', CompanyName: `Paged ${n}` });
      const since = lastSeq();
      await harness.publishSnapshot(
        harness.snapshot('inst-rate', {
          intervalSeconds: 60,
          resources: [resourceConfig('companies', { pageSize: 1 })],
        }),
      );
      await waitFor(async () => (await harness.runs('inst-rate')).some((run) => run.status === 'succeeded'), {
        what: 'the paged poll',
      });
      const [run] = await harness.runs('inst-rate');
      expect(run!.pages).toBeGreaterThanOrEqual(8);
      // A token bucket of 4/s with a burst of 1 spaces the reservations 250 ms apart. The first read is
      // sent only after its access token is fetched, so the gap after it may be short; from the second
      // read on (tokens cached), n reads span at least (n - 1) × 250 ms. A read leaves some time after
      // its reservation (the event loop is shared with the test and, in CI, with other suites: a second
      // read 25 ms late once made 7 gaps span 1,725 ms), so 100 ms of slack — an unlimited poller sends
      // the 8 reads in well under a second, and 5/s would span 1,400 ms.
      const times = readsSince(since)
        .map((request) => Date.parse(request.at))
        .slice(1);
      expect(times.length).toBeGreaterThanOrEqual(7);
      expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual((times.length - 1) * 250 - 100);
      await removeInstance('inst-rate', limited);
    } finally {
      poller = limited;
    }
  });
});
