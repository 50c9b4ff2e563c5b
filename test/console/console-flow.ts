// The user's path through the console, step by step, shared by the fake-API test and the full
// platform test so both prove the same thing. Locators use roles and labels (what a user sees).
import type { Locator, Page } from 'playwright-core';

export const SIM_CLIENT = { id: 'pollcast-dev', secret: 'pollcast-dev-secret' };
const UI_TIMEOUT_MS = 15000;

type Shot = (page: Page, step: string) => Promise<void>;

export async function signIn(
  page: Page,
  consoleUrl: string,
  secrets: { userSecret: string; organizationSecret: string },
  shot: Shot,
): Promise<void> {
  await page.goto(consoleUrl);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: UI_TIMEOUT_MS });
  await page.getByLabel('Organization secret').fill(secrets.organizationSecret);
  await page.getByLabel('User secret').fill(secrets.userSecret);
  await shot(page, 'sign-in');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Instances', level: 1 }).waitFor({ timeout: UI_TIMEOUT_MS });
  await shot(page, 'instances');
}

export async function openCreateForm(page: Page, shot: Shot): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Elements' }).click();
  await page.getByRole('heading', { name: 'Maximizer', level: 2 }).waitFor({ timeout: UI_TIMEOUT_MS });
  await shot(page, 'catalog');
  await page.getByRole('link', { name: 'Create instance of Maximizer' }).click();
  await page
    .getByRole('heading', { name: 'Create instance of Maximizer' })
    .waitFor({ timeout: UI_TIMEOUT_MS });
}

/** Fills the authentication fields, clicks Connect, allows access at the simulator's consent page. */
export async function connectWithOAuth(
  page: Page,
  options: { maximizerUrl?: string },
  shot: Shot,
): Promise<void> {
  await page.getByLabel('API key').fill(SIM_CLIENT.id);
  await page.getByLabel('API secret').fill(SIM_CLIENT.secret);
  if (options.maximizerUrl !== undefined) {
    await page.getByText('Advanced', { exact: true }).first().click();
    await page.getByLabel('Server URL').fill(options.maximizerUrl);
  }
  const popupOpened = page.waitForEvent('popup', { timeout: UI_TIMEOUT_MS });
  await page.getByRole('button', { name: 'Connect' }).click();
  const popup = await popupOpened;
  const allow = popup.getByRole('button', { name: 'Allow' });
  await allow.waitFor({ timeout: UI_TIMEOUT_MS });
  await shot(popup, 'provider-consent');
  const closed = popup.waitForEvent('close', { timeout: UI_TIMEOUT_MS });
  await allow.click();
  await closed;
  await page.getByText('Connected: authorization code received').waitFor({ timeout: UI_TIMEOUT_MS });
  await shot(page, 'connected');
}

/** Events on, the callback URL, a 1-minute interval, and two resources ticked. */
export async function configureEvents(
  page: Page,
  options: { callbackUrl: string; resources: readonly [string, string] },
  shot: Shot,
): Promise<void> {
  const eventsSwitch = page.getByRole('switch', { name: 'Events Enabled' });
  if ((await eventsSwitch.getAttribute('aria-checked')) !== 'true') await eventsSwitch.click();
  await page.getByLabel('Event notification callback URL').fill(options.callbackUrl);
  await page.getByLabel('Refresh interval in minutes').fill('1');
  for (const resource of options.resources) {
    // Anchored: a resource's name also appears in other resources' descriptions. (Plain names only.)
    const name = new RegExp(`^${resource}\\b`);
    await page.getByRole('group', { name: 'Resources to poll' }).getByRole('checkbox', { name }).check();
  }
  await shot(page, 'resources-selected');
}

export function codeView(page: Page) {
  return page.getByLabel('Code view: event.poller.configuration');
}

/** Rewrites one resource's URL through the code view (the JSON textarea), as a user would edit it. */
export async function editUrlInCodeView(page: Page, resource: string, url: string): Promise<void> {
  const textarea = codeView(page);
  const configuration = JSON.parse(await textarea.inputValue()) as Record<string, { url?: string }>;
  const entry = configuration[resource];
  if (entry === undefined) throw new Error(`${resource} is not in the code view`);
  entry.url = url;
  await textarea.fill(JSON.stringify(configuration, null, 2));
}

export async function submitCreate(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Create Instance' }).click();
}

/** The event row whose object id is `objectId` (the simulator record's Key). */
export function eventRow(page: Page, objectId: string) {
  return page.locator('tr.event-row', { hasText: objectId });
}

/**
 * Retries an assertion until it passes (the UI updates asynchronously); Jest's expect has no
 * Playwright web-first matchers, so this stands in for them.
 */
export async function eventually(assertion: () => Promise<void>, timeoutMs = UI_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export async function visible(locator: Locator, timeoutMs = UI_TIMEOUT_MS): Promise<void> {
  await locator.first().waitFor({ state: 'visible', timeout: timeoutMs });
}

/** The focused element's id, or its text when it has none (enough to tell buttons apart). */
export async function focusedElement(page: Page): Promise<string | null> {
  return page.evaluate<string | null>(
    'document.activeElement ? document.activeElement.id || document.activeElement.textContent : null',
  );
}
