import { seededRandom } from '@pollcast/tool-process';
import { type EntityName, type FieldValue, type StoredRecord, makeKey } from './entities';

export const SEED_MIX_KINDS = ['Company', 'Individual', 'Contact', 'Opportunity'] as const;
export type SeedKind = (typeof SEED_MIX_KINDS)[number];
/** Relative weights of what to generate; missing kinds weigh 0 when a mix is given. */
export type SeedMix = Partial<Record<SeedKind, number>>;
export const DEFAULT_SEED_MIX: Readonly<Record<SeedKind, number>> = {
  Company: 20,
  Individual: 20,
  Contact: 35,
  Opportunity: 25,
};

export interface SeedOptions {
  count: number;
  /** Same seed + same starting state → same records, Keys and timestamps. Default 1. */
  seed?: number;
  /** Timestamp window; default: the 30 days before the simulator's now. */
  from?: Date;
  to?: Date;
  mix?: SeedMix;
  /** Also append every seeded record to the change log as `created` (default false: seeds are pre-existing data). */
  logChanges?: boolean;
}

export interface SeedResult {
  readonly created: Record<SeedKind, number>;
  readonly total: number;
  readonly from: string;
  readonly to: string;
  readonly ms: number;
}

/** mulberry32 from @pollcast/tool-process: fully determined by the seed (the soak's fault schedule
 * draws from it too). */
export const prng = seededRandom;

const FIRST_NAMES = [
  'Ada',
  'Bo',
  'Chen',
  'Dana',
  'Eli',
  'Fatima',
  'Gus',
  'Hana',
  'Ivan',
  'Jo',
  'Kofi',
  'Lena',
  'Mateo',
  'Nora',
  'Omar',
  'Priya',
];
const LAST_NAMES = [
  'Nguyen',
  'Smith',
  'Tremblay',
  'Roy',
  'Singh',
  'Garcia',
  'Kim',
  'Dubois',
  'Okafor',
  'Larsen',
  'Rossi',
  'Cohen',
];
const CITIES = ['Toronto', 'Vancouver', 'Montreal', 'Calgary', 'Ottawa', 'Halifax', 'Winnipeg', 'Victoria'];
const COMPANY_WORDS = ['Maple', 'Northern', 'Harbour', 'Summit', 'Cedar', 'Aurora', 'Granite', 'Prairie'];
const COMPANY_SUFFIXES = ['Systems', 'Logistics', 'Foods', 'Energy', 'Partners', 'Labs'];
const OBJECTIVES = ['Renewal', 'Upsell', 'New licences', 'Services', 'Pilot'];
const STATUSES = ['Open', 'Open', 'Open', 'Won', 'Lost'];

// Pools of ready-made strings: a million seeded records should not mean millions of fresh strings (GC).
const COMPANY_NAMES = COMPANY_WORDS.flatMap((word) => COMPANY_SUFFIXES.map((suffix) => `${word} ${suffix}`));
const PHONES = Array.from({ length: 10_000 }, (_, index) => `+1-416-555-${String(index).padStart(4, '0')}`);
const EMAIL_VARIANTS = 100;
const EMAILS = ['info', ...FIRST_NAMES].flatMap((first) =>
  LAST_NAMES.flatMap((last) =>
    Array.from(
      { length: EMAIL_VARIANTS },
      (_, index) => `${first.toLowerCase()}.${last.toLowerCase()}${index}@example.com`,
    ),
  ),
);

function emailFor(first: string | null, lastIndex: number, sequence: number): string {
  const firstIndex = first === null ? 0 : FIRST_NAMES.indexOf(first) + 1;
  const index = (firstIndex * LAST_NAMES.length + lastIndex) * EMAIL_VARIANTS + (sequence % EMAIL_VARIANTS);
  return EMAILS[index] ?? 'info@example.com';
}

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)] as T;
}

interface GenerateInput {
  count: number;
  seed: number;
  fromSeconds: number;
  toSeconds: number;
  mix: SeedMix | undefined;
  firstSequence: number;
  existingCompanies: readonly string[];
  existingAbEntries: readonly string[];
}

export function generateSeedRecords(input: GenerateInput): Record<EntityName, StoredRecord[]> {
  const random = prng(input.seed);
  const weights = SEED_MIX_KINDS.map((kind) =>
    Math.max(0, input.mix ? (input.mix[kind] ?? 0) : DEFAULT_SEED_MIX[kind]),
  );
  const totalWeight = weights.reduce((sum, weight) => sum + weight, 0) || 1;
  const cumulative = weights.map(
    (_, index) => weights.slice(0, index + 1).reduce((a, b) => a + b, 0) / totalWeight,
  );
  const span = input.toSeconds - input.fromSeconds + 1;
  const companies = [...input.existingCompanies];
  const abEntries = [...input.existingAbEntries];
  const result: Record<EntityName, StoredRecord[]> = { AbEntry: [], Opportunity: [] };

  for (let index = 0; index < input.count; index++) {
    const roll = random();
    let kind: SeedKind = SEED_MIX_KINDS[cumulative.findIndex((limit) => roll < limit)] ?? 'Company';
    // A Contact needs a Company and an Opportunity an AbEntry to point at; make one first.
    if (
      (kind === 'Contact' && companies.length === 0) ||
      (kind === 'Opportunity' && abEntries.length === 0)
    ) {
      kind = 'Company';
    }
    const sequence = input.firstSequence + index;
    const lastModifySeconds = input.fromSeconds + Math.floor(random() * span);
    const creationSeconds =
      input.fromSeconds + Math.floor(random() * (lastModifySeconds - input.fromSeconds + 1));
    const first = pick(FIRST_NAMES, random);
    const lastIndex = Math.floor(random() * LAST_NAMES.length);
    const last = LAST_NAMES[lastIndex] ?? 'Smith';
    const city = pick(CITIES, random);
    let values: Record<string, FieldValue>;
    if (kind === 'Opportunity') {
      values = {
        Objective: pick(OBJECTIVES, random),
        Status: pick(STATUSES, random),
        Revenue: Math.floor(random() * 100_000) * 10,
        AbEntryKey: pick(abEntries, random),
      };
    } else {
      const isCompany = kind === 'Company';
      values = {
        Type: kind,
        CompanyName: isCompany || kind === 'Contact' ? pick(COMPANY_NAMES, random) : null,
        FirstName: isCompany ? null : first,
        LastName: isCompany ? null : last,
        Email: emailFor(isCompany ? null : first, lastIndex, sequence),
        Phone: PHONES[sequence % PHONES.length] ?? null,
        City: city,
        ParentKey: kind === 'Contact' ? pick(companies, random) : null,
      };
    }
    const entity: EntityName = kind === 'Opportunity' ? 'Opportunity' : 'AbEntry';
    const record: StoredRecord = {
      entity,
      key: makeKey(kind, sequence),
      creationSeconds,
      lastModifySeconds,
      values,
    };
    result[entity].push(record);
    if (kind === 'Company') companies.push(record.key);
    if (entity === 'AbEntry') abEntries.push(record.key);
  }
  return result;
}
