import { type MaximizerSimulator, type SearchQuery, createMaximizerSimulator } from './index';
import { SimulatorClient } from './sim-client';

interface ReadBody {
  Code: number;
  Msg?: string[];
  AbEntry?: { Data: Record<string, unknown>[]; PageKey?: string };
  Opportunity?: { Data: Record<string, unknown>[]; PageKey?: string };
}

describe('Octopus Read criteria', () => {
  let sim: MaximizerSimulator;
  let client: SimulatorClient;
  let token: string;
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    sim = await createMaximizerSimulator({ port: 0 });
    client = new SimulatorClient(sim.url);
    token = sim.oauth.issueTokens('pollcast-dev').access_token;
    // 16:54:00Z = 11:54:00-05:00 in Toronto; one record per step, two sharing 11:54:01.
    sim.clock.freeze(new Date('2019-01-15T16:54:00Z'));
    keys['acme'] = sim.store.create('AbEntry', { Type: 'Company', CompanyName: 'Acme Corp', City: 'Toronto' })
      .Key as string;
    sim.clock.advance(1000);
    keys['ada'] = sim.store.create('AbEntry', {
      Type: 'Contact',
      FirstName: 'Ada',
      LastName: 'Lovelace',
      Email: 'ada@acme.example',
      ParentKey: keys['acme'],
    }).Key as string;
    keys['bob'] = sim.store.create('AbEntry', {
      Type: 'Contact',
      FirstName: 'Bob',
      LastName: 'Stone',
      ParentKey: keys['acme'],
    }).Key as string;
    sim.clock.advance(1000);
    keys['cy'] = sim.store.create('AbEntry', { Type: 'Individual', FirstName: 'Cy', City: 'Ottawa' })
      .Key as string;
    sim.clock.advance(1000);
    keys['deal1'] = sim.store.create('Opportunity', {
      Objective: 'Renewal',
      Revenue: 1000,
      AbEntryKey: keys['acme'],
    }).Key as string;
    keys['deal2'] = sim.store.create('Opportunity', { Objective: 'Upsell', Status: 'Won', Revenue: 5000 })
      .Key as string;
  });
  afterAll(() => sim.close());

  async function readKeys(entity: 'AbEntry' | 'Opportunity', query: SearchQuery): Promise<string[]> {
    // "@name" stands for a Key only known once beforeAll has run.
    const searchQuery: unknown = JSON.parse(
      JSON.stringify(query).replace(/"@(\w+)"/g, (_match, name: string) => JSON.stringify(keys[name])),
    );
    const response = await client.octopus<ReadBody>(
      'Read',
      { [entity]: { Scope: { Fields: { Key: 1 } }, Criteria: { SearchQuery: searchQuery }, PageSize: 1000 } },
      token,
    );
    expect(response.body.Code).toBe(0);
    return (response.body[entity]?.Data ?? []).map((record) => String(record['Key'])).sort();
  }
  const names = (...wanted: string[]): string[] => wanted.map((name) => keys[name] ?? name).sort();

  it('renders second-precision dates in the server zone and every field with {"*":1}', async () => {
    const response = await client.octopus<ReadBody>(
      'Read',
      {
        AbEntry: { Scope: { Fields: { '*': 1 } }, Criteria: { SearchQuery: { Key: { $EQ: keys['ada'] } } } },
      },
      token,
    );
    expect(response.body.AbEntry?.Data).toEqual([
      {
        Key: keys['ada'],
        Type: 'Contact',
        CompanyName: null,
        FirstName: 'Ada',
        LastName: 'Lovelace',
        Email: 'ada@acme.example',
        Phone: null,
        City: null,
        ParentKey: keys['acme'],
        CreationDate: '2019-01-15T11:54:01-05:00',
        LastModifyDate: '2019-01-15T11:54:01-05:00',
      },
    ]);
    expect(Buffer.from(keys['ada'] ?? '', 'base64').toString('latin1')).toMatch(/^Contact\t\d+$/);
  });

  it('returns Key plus the Scope fields only', async () => {
    const response = await client.octopus<ReadBody>(
      'Read',
      {
        AbEntry: {
          Scope: { Fields: { FirstName: 1 } },
          Criteria: { SearchQuery: { Key: { $EQ: keys['ada'] } } },
        },
      },
      token,
    );
    expect(response.body.AbEntry?.Data).toEqual([{ Key: keys['ada'], FirstName: 'Ada' }]);
  });

  it.each<[string, SearchQuery, string[]]>([
    ['$EQ', { Type: { $EQ: 'Contact' } }, ['ada', 'bob']],
    ['$NE (nulls excluded)', { City: { $NE: 'Toronto' } }, ['cy']],
    ['$GT on a date with another offset', { LastModifyDate: { $GT: '2019-01-15T16:54:01Z' } }, ['cy']],
    ['$GE', { LastModifyDate: { $GE: '2019-01-15T11:54:01-05:00' } }, ['ada', 'bob', 'cy']],
    ['$LT', { LastModifyDate: { $LT: '2019-01-15T11:54:01-05:00' } }, ['acme']],
    ['$LE', { LastModifyDate: { $LE: '2019-01-15T11:54:01-05:00' } }, ['acme', 'ada', 'bob']],
    ['$GT with a fraction', { CreationDate: { $GT: '2019-01-15T11:54:01.500-05:00' } }, ['cy']],
    ['$LIKE (case-insensitive, % wildcard)', { LastName: { $LIKE: 'l%ce' } }, ['ada']],
    ['$LIKE contains', { Email: { $LIKE: '%ACME%' } }, ['ada']],
    ['$IN', { FirstName: { $IN: ['Bob', 'Cy', 'Zed'] } }, ['bob', 'cy']],
    [
      '$RANGE (inclusive)',
      { LastModifyDate: { $RANGE: ['2019-01-15T11:54:00-05:00', '2019-01-15T11:54:01-05:00'] } },
      ['acme', 'ada', 'bob'],
    ],
    ['is null', { ParentKey: { $EQ: null } }, ['acme', 'cy']],
    ['is not null', { ParentKey: { $NE: null } }, ['ada', 'bob']],
    [
      '$AND',
      { $AND: [{ Type: { $EQ: 'Contact' } }, { LastModifyDate: { $GT: '2019-01-15T11:54:00-05:00' } }] },
      ['ada', 'bob'],
    ],
    ['$OR', { $OR: [{ FirstName: { $EQ: 'Cy' } }, { CompanyName: { $LIKE: 'acme%' } }] }, ['acme', 'cy']],
    [
      'nested $AND inside $OR inside $AND',
      {
        $AND: [
          { LastModifyDate: { $GE: '2019-01-15T11:54:01-05:00' } },
          {
            $OR: [
              { $AND: [{ Type: { $EQ: 'Contact' } }, { FirstName: { $EQ: 'Bob' } }] },
              { City: { $EQ: 'Ottawa' } },
            ],
          },
        ],
      },
      ['bob', 'cy'],
    ],
    [
      'two operators on one field',
      { LastModifyDate: { $GT: '2019-01-15T16:54:00Z', $LT: '2019-01-15T16:54:02Z' } },
      ['ada', 'bob'],
    ],
  ])('AbEntry %s', async (_name, searchQuery, expected) => {
    expect(await readKeys('AbEntry', searchQuery)).toEqual(names(...expected));
  });

  it.each<[string, SearchQuery, string[]]>([
    ['numeric $GT', { Revenue: { $GT: 1000 } }, ['deal2']],
    ['numeric $RANGE', { Revenue: { $RANGE: [0, 1000] } }, ['deal1']],
    ['Status $IN', { Status: { $IN: ['Open', 'Lost'] } }, ['deal1']],
    ['AbEntryKey $EQ', { AbEntryKey: { $EQ: '@acme' } }, ['deal1']],
  ])('Opportunity %s', async (_name, searchQuery, expected) => {
    expect(await readKeys('Opportunity', searchQuery)).toEqual(names(...expected));
  });

  it('orders by any field with Key ASC as the final tie-breaker', async () => {
    const response = await client.octopus<ReadBody>(
      'Read',
      { AbEntry: { Scope: { Fields: { Key: 1 } }, OrderBy: { Fields: [{ LastModifyDate: 'DESC' }] } } },
      token,
    );
    const tied = names('ada', 'bob');
    expect(response.body.AbEntry?.Data.map((record) => record['Key'])).toEqual([
      keys['cy'],
      ...tied,
      keys['acme'],
    ]);
  });

  it.each<[string, unknown, string]>([
    ['unknown entity', { Foo: {} }, "Unknown entity 'Foo'"],
    [
      'unknown field',
      { AbEntry: { Criteria: { SearchQuery: { Foo: { $EQ: 1 } } } } },
      "Unknown field 'Foo' in Criteria.SearchQuery",
    ],
    [
      'bad operator',
      { AbEntry: { Criteria: { SearchQuery: { City: { $XX: 1 } } } } },
      "Unknown operator '$XX' for field 'City'",
    ],
    [
      'bad date',
      { AbEntry: { Criteria: { SearchQuery: { LastModifyDate: { $GT: '2019-01-15' } } } } },
      'Invalid value "2019-01-15"',
    ],
    ['number for text', { AbEntry: { Criteria: { SearchQuery: { City: { $EQ: 5 } } } } }, 'Invalid value 5'],
    [
      '$IN without array',
      { AbEntry: { Criteria: { SearchQuery: { City: { $IN: 'x' } } } } },
      "'$IN' on field 'City'",
    ],
    ['$GT null', { AbEntry: { Criteria: { SearchQuery: { City: { $GT: null } } } } }, 'does not accept null'],
    [
      'unknown scope field',
      { AbEntry: { Scope: { Fields: { Nope: 1 } } } },
      "Unknown field 'Nope' in Scope.Fields",
    ],
    ['bad order', { AbEntry: { OrderBy: { Fields: [{ City: 'UP' }] } } }, 'must be "ASC" or "DESC"'],
    ['page size', { AbEntry: { PageSize: 1001 } }, 'PageSize must be an integer from 1 to 1000'],
    ['garbage PageKey', { AbEntry: { PageKey: 'zzz' } }, 'Invalid PageKey'],
  ])('answers %s with Code -1 and a message', async (_name, body, message) => {
    const response = await client.octopus<ReadBody>('Read', body, token);
    expect(response.status).toBe(200);
    expect(response.body.Code).toBe(-1);
    expect(response.body.Msg?.[0]).toContain(message);
  });
});

describe('Octopus Create / Update / Delete', () => {
  let sim: MaximizerSimulator;
  let client: SimulatorClient;
  let token: string;

  beforeEach(async () => {
    sim = await createMaximizerSimulator({ port: 0 });
    sim.clock.freeze(new Date('2019-06-01T12:00:00Z'));
    client = new SimulatorClient(sim.url);
    token = sim.oauth.issueTokens('pollcast-dev').access_token;
  });
  afterEach(() => sim.close());

  it('creates, updates (stamping LastModifyDate) and deletes, recording each change', async () => {
    const created = await client.octopus<{ Code: number; AbEntry: { Data: Record<string, unknown> } }>(
      'Create',
      { AbEntry: { Data: { Type: 'Company', CompanyName: 'Initech' } } },
      token,
    );
    expect(created.body.Code).toBe(0);
    const key = String(created.body.AbEntry.Data['Key']);
    expect(created.body.AbEntry.Data['LastModifyDate']).toBe('2019-06-01T08:00:00-04:00');

    sim.clock.advance(90_000);
    const updated = await client.octopus<{ AbEntry: { Data: Record<string, unknown> } }>(
      'Update',
      { AbEntry: { Data: { Key: key, City: 'Austin' } } },
      token,
    );
    expect(updated.body.AbEntry.Data).toMatchObject({
      City: 'Austin',
      CompanyName: 'Initech',
      CreationDate: '2019-06-01T08:00:00-04:00',
      LastModifyDate: '2019-06-01T08:01:30-04:00',
    });

    const deleted = await client.octopus('Delete', { AbEntry: { Data: { Key: key } } }, token);
    expect(deleted.body).toEqual({ Code: 0, AbEntry: { Data: { Key: key } } });
    expect(sim.store.changes().map((change) => [change.change, change.Key, change.LastModifyDate])).toEqual([
      ['created', key, '2019-06-01T08:00:00-04:00'],
      ['updated', key, '2019-06-01T08:01:30-04:00'],
      ['deleted', key, '2019-06-01T08:01:30-04:00'],
    ]);
  });

  it.each<[string, string, unknown, string]>([
    ['missing Type', 'Create', { AbEntry: { Data: { CompanyName: 'x' } } }, "Field 'Type' is required"],
    [
      'Contact without parent',
      'Create',
      { AbEntry: { Data: { Type: 'Contact' } } },
      "'ParentKey' is required",
    ],
    [
      'server field',
      'Create',
      { AbEntry: { Data: { Type: 'Company', LastModifyDate: 'x' } } },
      'maintained by the server',
    ],
    [
      'bad enum',
      'Create',
      { Opportunity: { Data: { Status: 'Maybe' } } },
      "'Status' must be one of Open, Won, Lost",
    ],
    ['unknown key', 'Update', { AbEntry: { Data: { Key: 'nope', City: 'x' } } }, "Key 'nope' not found"],
    ['missing Data', 'Delete', { AbEntry: {} }, 'AbEntry.Data is required'],
    ['broken JSON', 'Create', '{"AbEntry":', 'not valid JSON'],
  ])('rejects %s', async (_name, operation, body, message) => {
    const response = await client.octopus<{ Code: number; Msg: string[] }>(operation, body, token);
    expect(response.body.Code).toBe(-1);
    expect(response.body.Msg[0]).toContain(message);
  });
});
