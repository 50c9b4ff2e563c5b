import { ElementRequestError } from '../errors';
import { planMaximizerHubRequest, planMaximizerIdListing } from './adapter';

const RENDERED_DATE = '2019-01-15T11:54:00-05:00';

function readOf(url: string, pageSize?: number, pageToken?: string): Record<string, unknown> {
  const plan = planMaximizerHubRequest({
    url,
    ...(pageSize === undefined ? {} : { pageSize }),
    ...(pageToken === undefined ? {} : { pageToken }),
  });
  const body = plan.body as Record<string, Record<string, unknown>>;
  const entity = Object.keys(body)[0] ?? '';
  return { entity, ...body[entity] };
}

function requestError(url: string): ElementRequestError {
  try {
    planMaximizerHubRequest({ url });
  } catch (error) {
    if (error instanceof ElementRequestError) return error;
    throw error;
  }
  throw new Error(`expected ${url} to be rejected`);
}

describe('planMaximizerHubRequest', () => {
  it("translates the seed's first URL (trailing space) verbatim", () => {
    const plan = planMaximizerHubRequest({
      url: `/hubs/crm/contacts?where=LastModifyDate>'${RENDERED_DATE}' `,
    });
    expect(plan).toEqual({
      resource: 'contacts',
      method: 'POST',
      path: '/octopus/Read',
      warnings: [],
      body: {
        AbEntry: {
          Scope: { Fields: { '*': 1 } },
          Criteria: {
            SearchQuery: { $AND: [{ Type: { $EQ: 'Contact' } }, { LastModifyDate: { $GT: RENDERED_DATE } }] },
          },
          OrderBy: { Fields: [{ LastModifyDate: 'ASC' }, { Key: 'ASC' }] },
          PageSize: 100,
        },
      },
    });
  });

  it("translates the seed's second URL (stray trailing double quote) with a warning", () => {
    const plan = planMaximizerHubRequest({
      url: `/hubs/crm/contacts?where=LastModifyDate>'${RENDERED_DATE}'"`,
    });
    expect(readOf(`/hubs/crm/contacts?where=LastModifyDate>'${RENDERED_DATE}'"`)).toMatchObject({
      Criteria: {
        SearchQuery: { $AND: [{ Type: { $EQ: 'Contact' } }, { LastModifyDate: { $GT: RENDERED_DATE } }] },
      },
    });
    expect(plan.warnings).toEqual([expect.stringMatching(/Ignored trailing "\\""/)]);
  });

  it('decodes a percent-encoded URL, keeping %2B and a literal + as +', () => {
    const encoded = `/hubs/crm/companies?where=${encodeURIComponent("LastModifyDate>'2019-01-15T11:54:00+05:00' ")}`;
    expect(readOf(encoded)).toMatchObject({
      Criteria: {
        SearchQuery: {
          $AND: [{ Type: { $EQ: 'Company' } }, { LastModifyDate: { $GT: '2019-01-15T11:54:00+05:00' } }],
        },
      },
    });
    const rawPlus = "/hubs/crm/companies?where=LastModifyDate%3E'2019-01-15T11:54:00+05:00'";
    expect(readOf(rawPlus)).toMatchObject({
      Criteria: {
        SearchQuery: {
          $AND: [{ Type: { $EQ: 'Company' } }, { LastModifyDate: { $GT: '2019-01-15T11:54:00+05:00' } }],
        },
      },
    });
  });

  it('treats form-encoded spaces (+) between tokens as blanks', () => {
    expect(readOf("/hubs/crm/opportunities?where=Status+IN+('Open','Won')+AND+Revenue+>=+100")).toMatchObject(
      {
        entity: 'Opportunity',
        Criteria: {
          SearchQuery: { $AND: [{ Status: { $IN: ['Open', 'Won'] } }, { Revenue: { $GE: 100 } }] },
        },
      },
    );
  });

  it('keeps LIKE wildcards that are not valid percent escapes', () => {
    expect(readOf("/hubs/crm/addressbook-entries?where=Email LIKE '%@example.com'")).toMatchObject({
      entity: 'AbEntry',
      Criteria: { SearchQuery: { Email: { $LIKE: '%@example.com' } } },
    });
  });

  it('keeps an unencoded & inside a quoted literal', () => {
    expect(readOf("/hubs/crm/companies?where=CompanyName = 'A&B'&pageSize=5")).toMatchObject({
      Criteria: { SearchQuery: { $AND: [{ Type: { $EQ: 'Company' } }, { CompanyName: { $EQ: 'A&B' } }] } },
      PageSize: 5,
    });
  });

  it('translates every operator, IS [NOT] NULL and nested AND/OR', () => {
    const where =
      "(FirstName = 'a' OR LastName != 'b') AND City < 'm' AND City > 'c' AND Phone IS NULL AND Email IS NOT NULL " +
      "AND CreationDate <= '2020-01-01T00:00:00Z' AND CreationDate >= '2019-01-01T00:00:00Z' AND Type IN ('Contact')";
    expect(readOf(`/hubs/crm/addressbook-entries?where=${encodeURIComponent(where)}`)).toMatchObject({
      Criteria: {
        SearchQuery: {
          $AND: [
            { $OR: [{ FirstName: { $EQ: 'a' } }, { LastName: { $NE: 'b' } }] },
            { City: { $LT: 'm' } },
            { City: { $GT: 'c' } },
            { Phone: { $EQ: null } },
            { Email: { $NE: null } },
            { CreationDate: { $LE: '2020-01-01T00:00:00Z' } },
            { CreationDate: { $GE: '2019-01-01T00:00:00Z' } },
            { Type: { $IN: ['Contact'] } },
          ],
        },
      },
      // The first date field the where filters on orders the pages.
      OrderBy: { Fields: [{ CreationDate: 'ASC' }, { Key: 'ASC' }] },
    });
  });

  it('omits Criteria when nothing filters and orders by Key alone', () => {
    expect(readOf('/hubs/crm/opportunities')).toEqual({
      entity: 'Opportunity',
      Scope: { Fields: { '*': 1 } },
      OrderBy: { Fields: [{ Key: 'ASC' }] },
      PageSize: 100,
    });
  });

  it('honours fields (adding id and dates), orderBy, pageSize and the page token', () => {
    expect(
      readOf(
        '/hubs/crm/contacts?fields=FirstName,LastName&orderBy=LastModifyDate desc&pageSize=50',
        undefined,
        'pk1',
      ),
    ).toMatchObject({
      Scope: { Fields: { FirstName: 1, LastName: 1, Key: 1, LastModifyDate: 1, CreationDate: 1 } },
      OrderBy: { Fields: [{ LastModifyDate: 'DESC' }, { Key: 'ASC' }] },
      PageSize: 50,
      PageKey: 'pk1',
    });
  });

  it('prefers the explicit pageSize, clamps to 1000 and warns about what it ignores', () => {
    const plan = planMaximizerHubRequest({
      url: '/hubs/crm/contacts?pageSize=20&page=3&foo=bar',
      pageSize: 5000,
    });
    expect((plan.body as { AbEntry: { PageSize: number } }).AbEntry.PageSize).toBe(1000);
    expect(plan.warnings).toEqual([
      "Ignored unknown query parameter 'foo'",
      "Ignored 'page'/'nextPage' in the URL: paging uses the page token",
      "pageSize 5000 lowered to Maximizer's maximum of 1000",
    ]);
    expect(() => planMaximizerHubRequest({ url: '/hubs/crm/contacts', pageSize: 0 })).toThrow(
      ElementRequestError,
    );
  });

  it('accepts the platform prefix and absolute URLs', () => {
    expect(readOf('/elements/api-v2/hubs/crm/companies')).toMatchObject({ entity: 'AbEntry' });
    expect(
      readOf('https://example.com/elements/api-v2/hubs/crm/opportunities?where=Revenue>1'),
    ).toMatchObject({
      entity: 'Opportunity',
    });
  });

  it('rejects unknown resources and hubs, naming what is known', () => {
    expect(requestError('/hubs/crm/leads').message).toMatch(
      /unknown resource 'leads'; known resources: contacts, companies, addressbook-entries, opportunities/,
    );
    expect(requestError('/hubs/marketing/contacts').message).toMatch(/unknown hub 'marketing'/);
    expect(requestError('/contacts?where=a=1').message).toMatch(/not a hub resource/);
    expect(requestError('/hubs/crm/constructor').message).toMatch(/unknown resource 'constructor'/);
  });

  it('rejects malformed where clauses with the position, as a permanent error', () => {
    const error = requestError("/hubs/crm/contacts?where=LastModifyDate>'2019' OR");
    expect(error.kind).toBe('permanent');
    expect(error.position).toBe(24);
    expect(error.message).toMatch(/at position 24 of where/);
    expect(requestError("/hubs/crm/contacts?where=a ~ 'x'").message).toMatch(
      /Unsupported operator '~' at position 2/,
    );
    expect(requestError('/hubs/crm/contacts?where=a=1&where=b=2').message).toMatch(/more than once/);
  });
});

describe('planMaximizerIdListing (a reconciliation lists ids)', () => {
  it('reads the whole resource of the poll URL: Key only, in Key order, 1000 a page, fixed criteria kept', () => {
    const plan = planMaximizerIdListing({
      url: `/hubs/crm/contacts?where=LastModifyDate>'${RENDERED_DATE}' and FirstName='x'&fields=FirstName`,
    });
    expect(plan).toEqual({
      resource: 'contacts',
      method: 'POST',
      path: '/octopus/Read',
      warnings: [],
      body: {
        AbEntry: {
          Scope: { Fields: { Key: 1 } },
          Criteria: { SearchQuery: { Type: { $EQ: 'Contact' } } },
          OrderBy: { Fields: [{ Key: 'ASC' }] },
          PageSize: 1000,
        },
      },
    });
    const small = planMaximizerIdListing({ url: '/hubs/crm/contacts', pageSize: 50 });
    expect((small.body as { AbEntry: { PageSize: number } }).AbEntry.PageSize).toBe(50);
  });

  it('refuses an unknown resource like a poll URL', () => {
    expect(() => planMaximizerIdListing({ url: '/hubs/crm/nothing' })).toThrow(ElementRequestError);
  });
});
