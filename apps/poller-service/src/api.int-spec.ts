import type { RunningService } from '@pollcast/service-kit';
import { waitFor } from '@pollcast/testing';
import type { Env } from './env';
import { PruneRunsJob } from './runs/prune-runs.job';
import { ORG_AUTH, OTHER_ORG_AUTH, PollerHarness, resourceConfig } from './testing/harness';

jest.setTimeout(60_000);

let harness: PollerHarness;
let poller: RunningService<Env>;
const instanceId = 'inst-api';

beforeAll(async () => {
  harness = await PollerHarness.create();
  poller = await harness.startPoller();
  await harness.publishSnapshot(harness.snapshot(instanceId, { intervalSeconds: 3600 }));
  await waitFor(async () => (await harness.runs(instanceId)).length >= 1, { what: 'the first poll' });
});

afterAll(async () => {
  await harness?.close();
});

async function call(method: string, path: string, options: { auth?: string; body?: unknown } = {}) {
  const response = await fetch(`${poller.url}/elements/api-v2${path}`, {
    method,
    headers: {
      ...(options.auth === undefined ? {} : { authorization: options.auth }),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? undefined : JSON.parse(text),
  };
}

describe('poller API', () => {
  it('authenticates through instance-service and hides other organizations’ instances', async () => {
    expect((await call('GET', `/instances/${instanceId}/poller`)).status).toBe(401);
    expect(
      (await call('GET', `/instances/${instanceId}/poller`, { auth: 'User x, Organization y' })).status,
    ).toBe(401);
    const foreign = await call('GET', `/instances/${instanceId}/poller`, { auth: OTHER_ORG_AUTH });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({
      requestId: foreign.headers.get('x-request-id'),
      code: 'NOT_FOUND',
      message: `Instance ${instanceId} not found`,
      errors: [],
    });
    expect((await call('GET', `/instances/nope/polls`, { auth: ORG_AUTH })).status).toBe(404);
  });

  it('shows per-resource state, polls now, and pages poll runs newest first', async () => {
    const state = await call('GET', `/instances/${instanceId}/poller`, { auth: ORG_AUTH });
    expect(state.status).toBe(200);
    expect(state.body).toMatchObject({ instanceId, active: true });
    expect(state.body.resources).toEqual([
      expect.objectContaining({
        resource: 'companies',
        state: 'ok',
        intervalSeconds: 3600,
        consecutiveFailures: 0,
      }),
    ]);
    expect(Date.parse(state.body.resources[0].nextDueAt)).toBeGreaterThan(Date.now() + 3_000_000);

    const now = await call('POST', `/instances/${instanceId}/polls`, { auth: ORG_AUTH });
    expect(now).toMatchObject({ status: 202, body: { requested: 1 } });
    await waitFor(async () => (await harness.runs(instanceId)).length >= 2, { what: 'the requested poll' });
    expect(
      (await call('POST', `/instances/${instanceId}/polls`, { auth: ORG_AUTH, body: { resource: 'nope' } }))
        .status,
    ).toBe(404);

    const first = await call('GET', `/instances/${instanceId}/polls?pageSize=1`, { auth: ORG_AUTH });
    expect(first.status).toBe(200);
    expect(first.body).toHaveLength(1);
    expect(first.body[0]).toMatchObject({ instanceId, resource: 'companies', status: 'succeeded', pages: 1 });
    const token = first.headers.get('elements-next-page-token');
    expect(token).toBeTruthy();
    const second = await call('GET', `/instances/${instanceId}/polls?pageSize=1&nextPage=${token}`, {
      auth: ORG_AUTH,
    });
    expect(second.body).toHaveLength(1);
    expect(Date.parse(second.body[0].startedAt)).toBeLessThan(Date.parse(first.body[0].startedAt));
    const forged = await call('GET', `/instances/${instanceId}/polls?nextPage=garbage`, { auth: ORG_AUTH });
    expect({ status: forged.status, code: forged.body.code, errors: forged.body.errors }).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
      errors: [{ path: 'nextPage', message: 'not a page token from this API' }],
    });
  });

  it('resets a watermark to backfill, refusing bad input', async () => {
    const { sim } = harness;
    sim.clock.set(new Date(Date.now() - 1_800_000));
    const old = sim.store.create('AbEntry', { Type: 'Company', CompanyName: 'Half an hour ago' });
    sim.clock.set(new Date());
    const path = `/instances/${instanceId}/poller/companies/watermark`;
    const unreadable = await call('PUT', path, { auth: ORG_AUTH, body: { watermark: 'yesterday' } });
    expect({ status: unreadable.status, code: unreadable.body.code }).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
    });
    expect(unreadable.body.errors).toEqual([{ path: 'watermark', message: expect.any(String) }]);
    expect(
      (await call('PUT', path, { auth: ORG_AUTH, body: { watermark: '2999-01-01T00:00:00Z' } })).status,
    ).toBe(400);
    expect(
      (
        await call('PUT', `/instances/${instanceId}/poller/nope/watermark`, {
          auth: ORG_AUTH,
          body: { watermark: '2020-01-01T00:00:00Z' },
        })
      ).status,
    ).toBe(404);
    const backfillFrom = new Date(Date.now() - 3_600_000).toISOString();
    const reset = await call('PUT', path, { auth: ORG_AUTH, body: { watermark: backfillFrom } });
    expect(reset.status).toBe(200);
    expect(reset.body).toMatchObject({ resource: 'companies', watermark: backfillFrom });
    await waitFor(
      () => harness.rawFor(instanceId).some((message) => message.value.objectId === String(old.Key)),
      {
        what: 'the backfilled record',
      },
    );
  });

  it('prunes runs older than the retention', async () => {
    const before = (await harness.runs(instanceId)).length;
    expect(before).toBeGreaterThan(0);
    const deleted = await poller.app.get(PruneRunsJob).pruneNow(new Date(Date.now() + 8 * 86_400_000));
    expect(deleted).toBe(before);
    expect(await harness.runs(instanceId)).toEqual([]);
  });

  it('reconciles now with {"reconcile": true}, and shows the last reconciliation in the poller state', async () => {
    const state = await call('GET', `/instances/${instanceId}/poller`, { auth: ORG_AUTH });
    expect(state.body.resources[0].reconciliation).toBeNull(); // deletions off: nothing to show
    const refused = await call('POST', `/instances/${instanceId}/polls`, {
      auth: ORG_AUTH,
      body: { reconcile: true },
    });
    expect({ status: refused.status, code: refused.body.code, errors: refused.body.errors }).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
      errors: [{ path: 'reconcile', message: expect.stringMatching(/deletions\.mode is "reconcile"/) }],
    });
    expect(
      (await call('POST', `/instances/${instanceId}/polls`, { auth: ORG_AUTH, body: { reconcile: 'yes' } }))
        .status,
    ).toBe(400);

    const reconciled = 'inst-api-reconciled';
    await harness.publishSnapshot(
      harness.snapshot(reconciled, {
        intervalSeconds: 3600,
        resources: [resourceConfig('companies', { deletions: { mode: 'reconcile', intervalMinutes: 7200 } })],
      }),
    );
    interface ReconciliationShown {
      nextDueAt: string;
      last: { runId: string; status: string } | null;
    }
    const lastOf = async (): Promise<ReconciliationShown | undefined> => {
      const answer = await call('GET', `/instances/${reconciled}/poller`, { auth: ORG_AUTH });
      const resources = (answer.body as { resources?: { reconciliation: ReconciliationShown | null }[] })
        .resources;
      return resources?.[0]?.reconciliation ?? undefined;
    };
    await waitFor(async () => (await lastOf())?.last?.status === 'succeeded', {
      what: 'the first reconciliation',
    });
    const first = (await lastOf())?.last;
    const now = await call('POST', `/instances/${reconciled}/polls`, {
      auth: ORG_AUTH,
      body: { reconcile: true, resource: 'companies' },
    });
    expect(now).toMatchObject({ status: 202, body: { requested: 1 } });
    await waitFor(async () => (await lastOf())?.last?.runId !== first?.runId, {
      what: 'the requested reconciliation',
    });
    const shown = await lastOf();
    expect(shown).toEqual({
      running: false,
      requested: false,
      nextDueAt: expect.any(String),
      last: {
        runId: expect.any(String),
        status: 'succeeded',
        startedAt: expect.any(String),
        finishedAt: expect.any(String),
        durationMs: expect.any(Number),
        idsListed: expect.any(Number),
        deletionsFound: 0,
      },
    });
    expect(Date.parse(shown?.nextDueAt ?? '')).toBeGreaterThan(Date.now() + 7_000_000);
  });
});
