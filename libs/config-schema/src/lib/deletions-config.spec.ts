import { seedCurlBody } from '@pollcast/testing';
import { parseInstanceBody } from './parse-instance-body';
import { toInstanceBody } from './serialize';
import { resolveFakeElement } from './fixtures/fake-element';
import type { ConfigIssue, ParseInstanceBodyOptions } from './types';

const create: ParseInstanceBodyOptions = { resolveElement: resolveFakeElement, mode: 'create' };
const CONTACTS_URL = "/hubs/crm/contacts?where=LastModifyDate>'${date:yyyy-MM-dd'T'HH:mm:ssXXX}'";
const POLLER = 'configuration.event.poller.configuration';

function body(deletions: unknown): Record<string, unknown> {
  return {
    element: { key: 'maximizer' },
    name: 'test',
    configuration: {
      'event.notification.enabled': true,
      'event.notification.callback.url': 'https://example.com/events',
      'event.poller.configuration': { contacts: { url: CONTACTS_URL, idField: 'Key', deletions } },
    },
  };
}

function deletionsOf(deletions: unknown) {
  const result = parseInstanceBody(body(deletions), create);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value.events.resources[0]?.deletions;
}

function errorsOf(deletions: unknown): ConfigIssue[] {
  const result = parseInstanceBody(body(deletions), create);
  if (result.ok) throw new Error('expected errors');
  return result.errors;
}

describe('deletions per resource', () => {
  it('is off when absent, null or {"mode": "off"}', () => {
    expect(deletionsOf(undefined)).toBeUndefined();
    expect(deletionsOf(null)).toBeUndefined();
    expect(deletionsOf({ mode: 'off' })).toBeUndefined();
  });

  it('reconcile: daily by default, or every intervalMinutes (number or decimal string)', () => {
    expect(deletionsOf({ mode: 'reconcile' })).toEqual({ mode: 'reconcile', intervalMinutes: 1440 });
    expect(deletionsOf({ mode: 'reconcile', intervalMinutes: '60' })).toEqual({
      mode: 'reconcile',
      intervalMinutes: 60,
    });
  });

  it('flag: a field and a JSON scalar', () => {
    expect(deletionsOf({ mode: 'flag', field: 'Status.Deleted', value: true })).toEqual({
      mode: 'flag',
      field: 'Status.Deleted',
      value: true,
    });
    expect(deletionsOf({ mode: 'flag', field: 'State', value: null })).toEqual({
      mode: 'flag',
      field: 'State',
      value: null,
    });
  });

  it('names the field of every mistake', () => {
    expect(errorsOf('reconcile')[0]?.path).toBe(`${POLLER}.contacts.deletions`);
    expect(errorsOf({ mode: 'sometimes' })[0]?.path).toBe(`${POLLER}.contacts.deletions.mode`);
    expect(errorsOf({ mode: 'reconcile', intervalMinutes: 0 })[0]?.path).toBe(
      `${POLLER}.contacts.deletions.intervalMinutes`,
    );
    expect(errorsOf({ mode: 'reconcile', field: 'x' })[0]?.path).toBe(`${POLLER}.contacts.deletions.field`);
    expect(errorsOf({ mode: 'flag', field: 'Deleted', value: { yes: 1 } })[0]?.path).toBe(
      `${POLLER}.contacts.deletions.value`,
    );
    expect(errorsOf({ mode: 'flag', field: 'x'.repeat(201), value: true })[0]?.path).toBe(
      `${POLLER}.contacts.deletions.field`,
    );
  });

  it('refuses deletedSince: no element declares a deleted-records endpoint (Maximizer has none)', () => {
    const [error] = errorsOf({ mode: 'deletedSince' });
    expect(error?.path).toBe(`${POLLER}.contacts.deletions.mode`);
    expect(error?.message).toMatch(/deleted-records endpoint.*"reconcile".*"flag"/);
  });

  it('round-trips through toInstanceBody, and writes nothing for a resource without it', () => {
    const parsed = parseInstanceBody(body({ mode: 'reconcile', intervalMinutes: 30 }), create);
    if (!parsed.ok) throw new Error('expected success');
    const again = parseInstanceBody(toInstanceBody(parsed.value), create);
    expect(again.ok && again.value.events.resources).toEqual(parsed.value.events.resources);
    const seed = parseInstanceBody(seedCurlBody({ code: 'c' }), create);
    if (!seed.ok) throw new Error('expected success');
    expect(JSON.stringify(toInstanceBody(seed.value))).not.toContain('deletions');
  });
});
