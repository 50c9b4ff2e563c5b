// The console against the whole platform (startPlatform: the four services, the simulator and the
// sink as processes): sign in, create a Maximizer instance through the simulator's OAuth consent page
// with two resources and one URL edited in the code view, change a record at the provider, and see
// the event arrive in the instance's live event list.
import type { Browser, Page } from 'playwright-core';
import { waitFor } from '@pollcast/testing';
import { startPlatform, type RunningPlatform } from '../support/platform';
import {
  buildConsole,
  launchChromium,
  listen,
  proxy,
  requireChromium,
  screenshotter,
  secretsOf,
  sendJson,
  serveConsoleFile,
  type HttpHandle,
} from './harness';
import {
  codeView,
  configureEvents,
  connectWithOAuth,
  editUrlInCodeView,
  eventRow,
  openCreateForm,
  signIn,
  submitCreate,
  visible,
} from './console-flow';

const EDITED_URL = "/hubs/crm/companies?where=LastModifyDate>'${gmtDate:yyyy-MM-dd'T'HH:mm:ssXXX}'";
const EVENT_TIMEOUT_MS = 90000;

/**
 * Where the browser opens the console: instance-service itself once it serves the build at `/`
 * (with /console-config.json and CORS on the other services); until then a local server that serves
 * the build and forwards each API group to its service on the same origin.
 */
async function consoleOrigin(
  platform: RunningPlatform,
): Promise<{ url: string; close: () => Promise<void> }> {
  const served = await fetch(`${platform.instanceServiceUrl}/`).then(
    async (response) => response.ok && (await response.text()).includes('<div id="root">'),
    () => false,
  );
  if (served) return { url: platform.instanceServiceUrl, close: async () => undefined };
  let origin = '';
  const handle: HttpHandle = await listen((request, response) => {
    const path = request.url ?? '/';
    if (path === '/console-config.json') {
      return sendJson(response, 200, {
        apiBase: '',
        pollerApiBase: `${origin}/_poller`,
        dispatcherApiBase: `${origin}/_dispatcher`,
      });
    }
    if (path.startsWith('/elements/api-v2'))
      return proxy(request, response, platform.instanceServiceUrl, path);
    if (path.startsWith('/_poller/'))
      return proxy(request, response, platform.pollerUrl, path.slice('/_poller'.length));
    if (path.startsWith('/_dispatcher/')) {
      return proxy(request, response, platform.dispatcherUrl, path.slice('/_dispatcher'.length));
    }
    serveConsoleFile(request, response);
  });
  origin = handle.url;
  return handle;
}

describe('console against the running platform', () => {
  let platform: RunningPlatform;
  let origin: { url: string; close: () => Promise<void> };
  let browser: Browser;
  let page: Page;
  const shot = screenshotter('platform');
  const pageErrors: string[] = [];

  beforeAll(async () => {
    requireChromium();
    buildConsole();
    platform = await startPlatform();
    origin = await consoleOrigin(platform);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 240000);

  afterAll(async () => {
    await browser?.close();
    await origin?.close();
    await platform?.stop();
  });

  it('creates a Maximizer instance through OAuth and shows the event of a provider change', async () => {
    await signIn(page, origin.url, secretsOf(platform.authorization), shot);
    await openCreateForm(page, shot);
    await page.getByLabel('Name').fill('Console e2e');
    await connectWithOAuth(page, {}, shot);
    await configureEvents(
      page,
      { callbackUrl: `${platform.sinkUrl}/hooks/console`, resources: ['contacts', 'companies'] },
      shot,
    );
    await editUrlInCodeView(page, 'companies', EDITED_URL);
    expect(Object.keys(JSON.parse(await codeView(page).inputValue()) as object)).toEqual([
      'contacts',
      'companies',
    ]);
    await shot(page, 'url-edited');
    await submitCreate(page);
    await page.getByRole('heading', { name: 'Console e2e', level: 1 }).waitFor({ timeout: 30000 });
    await visible(page.getByText('Instance “Console e2e” created.'));
    await shot(page, 'instance-detail');

    // Past the first poll (which only sets the watermark), then a change at the provider.
    await visible(
      page.getByRole('region', { name: 'Poller state per resource' }).getByText('companies'),
      30000,
    );
    await new Promise((resolve) => setTimeout(resolve, 4000));
    const response = await fetch(`${platform.simUrl}/_sim/records/AbEntry`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ Type: 'Company', CompanyName: 'Console E2E Co' }),
    });
    expect(response.status).toBe(201);
    const record = (await response.json()) as { Key: string };

    const row = eventRow(page, record.Key);
    await row.waitFor({ timeout: EVENT_TIMEOUT_MS });
    expect(await row.textContent()).toContain('companies');
    await shot(page, 'event-arrived');

    // The dispatcher delivered it to the sink; the deliveries view shows the attempt.
    await waitFor(
      async () => {
        const answer = await fetch(`${platform.sinkUrl}/_sink/requests?pathPrefix=/hooks/console`);
        const body = (await answer.json()) as { requests: { body: string }[] };
        return body.requests.some((request) => request.body.includes(record.Key)) || undefined;
      },
      { what: 'the callback at the sink', timeoutMs: EVENT_TIMEOUT_MS },
    );
    await row.getByRole('button', { name: 'Deliveries' }).click();
    await visible(page.getByText(/Attempt 1/), 30000);
    await shot(page, 'event-deliveries');

    // The charts draw the dispatcher's numbers of this real delivery: one created event, one 2xx.
    const charts = page.getByRole('region', { name: 'Last 24 hours' });
    await waitFor(
      async () => {
        await charts.getByRole('button', { name: 'Refresh the charts' }).click();
        const summary = (await charts.getByTestId('charts-summary').textContent()) ?? '';
        return /1 event \(1 created\)/.test(summary) && /1 delivered/.test(summary) ? summary : undefined;
      },
      { what: 'the charts to show the delivery', timeoutMs: 30000, intervalMs: 1000 },
    );
    expect(await charts.getByTestId('charts-summary').textContent()).toMatch(
      /^1 event \(1 created\) · 1 delivery attempt \(1 delivered\) · latency p50 [\d.]+ m?s, p99 [\d.]+ m?s$/,
    );
    for (const name of [
      'Events per minute by type',
      'Delivery attempts per minute by outcome',
      'Delivery latency p50 and p99',
    ]) {
      const canvas = charts.getByRole('img', { name }).locator('canvas');
      const drawn = await waitFor(
        async () => {
          const box = await canvas.boundingBox();
          return box !== null && box.width > 200 && box.height > 50 ? box : undefined;
        },
        { what: `the canvas of "${name}"`, timeoutMs: 10000, intervalMs: 200 },
      );
      expect(drawn.width).toBeGreaterThan(200);
    }
    expect(await charts.locator('.u-legend').first().textContent()).toContain('CREATED');
    await charts.scrollIntoViewIfNeeded();
    await shot(page, 'charts');

    // Tables fit their panels (nothing scrolls sideways at 1280 px) and states read as words.
    const overflowing = await page.locator('.table-wrap').evaluateAll(
      // Typed by hand: the tests compile without the DOM library.
      (wraps: { scrollWidth: number; clientWidth: number; getAttribute(name: string): string | null }[]) =>
        wraps
          .filter((wrap) => wrap.scrollWidth > wrap.clientWidth + 1)
          .map((wrap) => wrap.getAttribute('aria-label')),
    );
    expect(overflowing).toEqual([]);
    const cells = await page.locator('td').allTextContents();
    expect(cells.filter((cell) => cell === 'true' || cell === 'false')).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 300000);
});
