// The console against a fake platform API (fast: no services, only the in-process simulator): proves
// the UI end to end in Debian's Chromium, including the server-error mapping, CORS to the poller and
// dispatcher origins from console-config.json, keyboard use and a phone-sized layout.
import type { Browser, Page } from 'playwright-core';
import { createMaximizerSimulator, type MaximizerSimulator } from '@pollcast/maximizer-sim';
import { waitFor } from '@pollcast/testing';
import { buildConsole, launchChromium, requireChromium, screenshotter, secretsOf } from './harness';
import {
  codeView,
  configureEvents,
  connectWithOAuth,
  editUrlInCodeView,
  eventRow,
  eventually,
  focusedElement,
  openCreateForm,
  signIn,
  submitCreate,
  visible,
} from './console-flow';
import { startFakePlatform, type FakePlatform } from './fake-api';

const EDITED_URL = "/hubs/crm/companies?where=LastModifyDate>'${gmtDate:yyyy-MM-dd'T'HH:mm:ssXXX}'";

describe('console against a fake platform API', () => {
  let sim: MaximizerSimulator;
  let platform: FakePlatform;
  let browser: Browser;
  let page: Page;
  const shot = screenshotter('fake-api');
  const pageErrors: string[] = [];
  const externalRequests: string[] = [];

  beforeAll(async () => {
    requireChromium();
    buildConsole();
    sim = await createMaximizerSimulator({ port: 0 });
    platform = await startFakePlatform(sim);
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    context.on('request', (request) => {
      if (!request.url().startsWith('http://127.0.0.1:')) externalRequests.push(request.url());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await platform?.close();
    await sim?.close();
  });

  it('signs in, creates an instance through OAuth, and shows a new event live', async () => {
    const secrets = secretsOf(platform.authorization);
    await signIn(page, platform.consoleUrl, secrets, shot);
    await visible(page.getByText('No instances yet'));
    // Secrets stay out of the address bar.
    expect(page.url()).not.toContain(secrets.userSecret);

    await openCreateForm(page, shot);
    await page.getByLabel('Name').fill('Console demo');
    await page.getByLabel('Tags').fill('console');
    await page.getByLabel('Tags').press('Enter');
    await connectWithOAuth(page, { maximizerUrl: sim.url }, shot);
    await configureEvents(
      page,
      { callbackUrl: 'http://127.0.0.1:9/hooks/console', resources: ['contacts', 'companies'] },
      shot,
    );
    expect(Object.keys(JSON.parse(await codeView(page).inputValue()) as object)).toEqual([
      'contacts',
      'companies',
    ]);

    // A JSON syntax error is reported at its line, and the resource picker waits for valid JSON.
    await codeView(page).fill(
      '{\n  "contacts": {\n    "url": "/hubs/crm/contacts"\n    "idField": "Key"\n  }\n}',
    );
    await visible(page.getByText(/^Line 4, column \d+:/));
    expect(await page.locator('.gutter-line.error-line').textContent()).toBe('4');
    expect(
      await page.getByRole('group', { name: 'Resources to poll' }).getByRole('checkbox').first().isDisabled(),
    ).toBe(true);
    await shot(page, 'json-syntax-error');

    // Back to the two resources, then one URL edited in the code view, and a bad date format in the
    // per-resource editor, which the server refuses beside the field.
    await page.keyboard.press('Control+a');
    await codeView(page).fill('{}');
    await configureEvents(
      page,
      { callbackUrl: 'http://127.0.0.1:9/hooks/console', resources: ['contacts', 'companies'] },
      shot,
    );
    await editUrlInCodeView(page, 'companies', EDITED_URL);
    expect(await page.getByLabel('URL', { exact: true }).nth(1).inputValue()).toBe(EDITED_URL);
    const contactsCard = page.getByRole('group', { name: 'contacts', exact: true });
    await contactsCard.getByText('Advanced Filtering').click();
    await contactsCard.getByLabel('Updated date format').fill("yyyy-MM-dd'T'HH:mm:ssQQQ");
    await submitCreate(page);
    const formatError = contactsCard.locator('.field-error');
    await visible(formatError);
    expect(await formatError.textContent()).toContain('Q');
    await eventually(async () => expect(await focusedElement(page)).toBe('create-form-errors'));
    expect(await contactsCard.getByLabel('Updated date format').getAttribute('aria-invalid')).toBe('true');
    await shot(page, 'server-validation-error');

    await contactsCard.getByLabel('Updated date format').fill("yyyy-MM-dd'T'HH:mm:ssXXX");
    // Keyboard: the events switch toggles with Space and keeps its state.
    const eventsSwitch = page.getByRole('switch', { name: 'Events Enabled' });
    await eventsSwitch.focus();
    await page.keyboard.press('Space');
    await eventually(async () => expect(await eventsSwitch.getAttribute('aria-checked')).toBe('false'));
    await page.keyboard.press('Space');
    await eventually(async () => expect(await eventsSwitch.getAttribute('aria-checked')).toBe('true'));
    await submitCreate(page);

    await page.getByRole('heading', { name: 'Console demo', level: 1 }).waitFor();
    await visible(page.getByText('Instance “Console demo” created.'));
    await visible(page.getByRole('region', { name: 'Poller state per resource' }).getByText('companies'));
    await shot(page, 'instance-detail');

    const created = platform.createRequests.at(-1) as {
      element: { key: string };
      providerData: { code: string };
      configuration: Record<string, unknown>;
      tags: string[];
      name: string;
    };
    expect(created.element).toEqual({ key: 'maximizer' });
    expect(created.providerData.code).not.toBe('');
    expect(created.name).toBe('Console demo');
    expect(created.tags).toEqual(['console']);
    expect(created.configuration).toMatchObject({
      'oauth.api.key': 'pollcast-dev',
      'oauth.callback.url': `${platform.consoleUrl}/oauth/callback`,
      'maximizer.url': sim.url,
      'event.notification.enabled': true,
      'event.notification.callback.url': 'http://127.0.0.1:9/hooks/console',
      'event.poller.refresh_interval': '1',
    });
    const pollerConfiguration = created.configuration['event.poller.configuration'] as Record<
      string,
      { url: string }
    >;
    expect(Object.keys(pollerConfiguration)).toEqual(['contacts', 'companies']);
    expect(pollerConfiguration['companies']?.url).toBe(EDITED_URL);

    // A change at the provider appears in the live list without a reload.
    await visible(page.getByText('No events yet'));
    const response = await fetch(`${sim.url}/_sim/records/AbEntry`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ Type: 'Company', CompanyName: 'Console Co' }),
    });
    expect(response.status).toBe(201);
    const record = (await response.json()) as { Key: string };
    const row = eventRow(page, record.Key);
    await row.waitFor({ timeout: 10000 });
    expect(await row.textContent()).toContain('CREATED');
    expect(await row.textContent()).toContain('companies');
    await shot(page, 'event-arrived');

    await row.getByRole('button', { name: 'Deliveries' }).click();
    await visible(page.getByText(/HTTP 503/));
    await visible(page.getByText(/HTTP 200/));
    await row.getByRole('button', { name: /Redeliver/ }).click();
    await visible(page.getByText(/sent again/));
    await waitFor(async () => platform.redeliverRequests.length === 1 || undefined, {
      what: 'redeliver call',
    });
    expect(platform.redeliverRequests[0]).toEqual({ eventIds: [expect.stringMatching(/^evt-/)] });
    await shot(page, 'event-deliveries');

    expect(pageErrors).toEqual([]);
    expect(externalRequests).toEqual([]);
  });

  it('disables, re-enables and deletes the instance with keyboard-reachable confirmation', async () => {
    await page.getByRole('button', { name: 'Disable' }).click();
    await visible(page.getByText('Disabled', { exact: true }));
    await page.getByRole('button', { name: 'Enable' }).click();
    await visible(page.getByText('Enabled', { exact: true }));
    await page.getByRole('button', { name: 'Delete…' }).click();
    await eventually(async () => expect(await focusedElement(page)).toBe('Delete instance'));
    await shot(page, 'delete-confirmation');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Instances', level: 1 }).waitFor();
    expect(platform.instances).toHaveLength(0);
  });

  it('lays out the create form on a phone-sized screen without horizontal scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await openCreateForm(page, shot);
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(page, 'create-form-phone');
  });

  it('refuses wrong secrets with a message and keeps nothing', async () => {
    const context = await browser.newContext();
    const fresh = await context.newPage();
    await fresh.goto(platform.consoleUrl);
    await fresh.getByLabel('Organization secret').fill('wrong');
    await fresh.getByLabel('User secret').fill('wrong');
    await fresh.getByRole('button', { name: 'Sign in' }).click();
    await visible(fresh.getByRole('alert').getByText(/were not accepted/));
    expect(await fresh.evaluate('sessionStorage.length')).toBe(0);
    await context.close();
  });

  it('creates an instance of a declarative element: its own fields, no Connect, no grant code', async () => {
    await page.goto(`${platform.consoleUrl}/catalog/github/new`);
    await visible(page.getByRole('heading', { name: 'Create instance of GitHub' }));
    expect(await page.getByRole('button', { name: 'Connect' }).count()).toBe(0);
    await page.getByLabel('Name', { exact: true }).fill('acme/app issues');
    await page.getByLabel('github.token').fill('github_pat_console_0123');
    await page.getByLabel('github.owner').fill('acme');
    await page.getByLabel('github.repo').fill('app');
    await page.getByLabel('Event notification callback URL').fill('https://hooks.example.com/pollcast');
    await page
      .getByRole('group', { name: 'Resources to poll' })
      .getByRole('checkbox', { name: /^issues\b/ })
      .check();
    await shot(page, 'github-create');
    const before = platform.createRequests.length;
    await submitCreate(page);
    await waitFor(() => platform.createRequests.length > before, { what: 'the create request' });
    const body = platform.createRequests.at(-1) as Record<string, Record<string, unknown>>;
    expect(body['providerData']).toBeUndefined();
    expect(body['element']).toEqual({ key: 'github' });
    expect(body['configuration']).toMatchObject({
      'github.token': 'github_pat_console_0123',
      'github.owner': 'acme',
      'github.repo': 'app',
    });
    expect(body['configuration']?.['oauth.api.key']).toBeUndefined();
    await visible(page.getByText('Instance “acme/app issues” created.'));
  });
});
