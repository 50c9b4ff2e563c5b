// Throughput of the hot paths the poller uses: rendering a compiled URL template for each poll, and
// parsing each record's date with a compiled pattern. Bounded: each case runs ~1.5 s or 5M operations.
//   node -r @swc-node/register libs/date-template/bench/date-template.bench.ts
import { compileJavaPattern, compileUrlTemplate, parseRecordDate } from '../src/index';

const TIME_BUDGET_MS = 1500;
const MAX_OPERATIONS = 5_000_000;
const BATCH = 1000;

interface Result {
  readonly name: string;
  readonly operations: number;
  readonly seconds: number;
}

/** Runs `operation(i)` in batches until the time budget or the operation cap is reached. */
function measure(name: string, operation: (iteration: number) => unknown): Result {
  for (let i = 0; i < 20_000; i++) operation(i); // warm up the JIT and the zone caches
  let operations = 0;
  let sink: unknown;
  const start = process.hrtime.bigint();
  let elapsedMs = 0;
  while (elapsedMs < TIME_BUDGET_MS && operations < MAX_OPERATIONS) {
    for (let i = 0; i < BATCH; i++) sink = operation(operations + i);
    operations += BATCH;
    elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
  }
  if (sink === undefined) throw new Error(`${name} returned nothing`);
  return { name, operations, seconds: elapsedMs / 1000 };
}

const seedUrl = compileUrlTemplate(
  "/hubs/crm/contacts?where=LastModifyDate>'${date:yyyy-MM-dd'T'HH:mm:ssXXX}'",
);
const richUrl = compileUrlTemplate(
  "/x?since=${gmtDate:yyyy-MM-dd'T'HH:mm:ss.SSS'Z'}&local=${dateTimeZone:PST:EEE, dd MMM yyyy HH:mm:ss z}&ms=${epoch}",
);
const isoPattern = compileJavaPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
const localPattern = compileJavaPattern('yyyy-MM-dd HH:mm:ss');

// Instants a poller meets: a year of poll times, one every 37 minutes (crosses both DST changes).
const base = Date.UTC(2024, 0, 1);
const STEP_MS = 37 * 60_000;
const SAMPLES = 14_000;
const pollTimes = Array.from({ length: SAMPLES }, (_, i) => new Date(base + i * STEP_MS));
const isoTexts = pollTimes.map((date) => isoPattern.format(date, 'Europe/Berlin'));
const localTexts = pollTimes.map((date) => localPattern.format(date, 'America/Toronto'));
const at = (i: number): Date => pollTimes[i % SAMPLES] ?? new Date(base);

const results: Result[] = [
  measure('render seed URL (${date:…XXX}, GMT)', (i) => seedUrl.render(at(i))),
  measure('render seed URL, zone America/Toronto', (i) => seedUrl.render(at(i), { zone: 'America/Toronto' })),
  measure('render 3-placeholder URL (gmtDate, PST with z, epoch)', (i) => richUrl.render(at(i))),
  measure("parse yyyy-MM-dd'T'HH:mm:ss.SSSXXX", (i) => isoPattern.parse(isoTexts[i % SAMPLES] ?? '')),
  measure('parse yyyy-MM-dd HH:mm:ss in America/Toronto', (i) =>
    localPattern.parse(localTexts[i % SAMPLES] ?? '', 'America/Toronto'),
  ),
  measure('parseRecordDate (pattern cache lookup + parse)', (i) =>
    parseRecordDate(isoTexts[i % SAMPLES], "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", 'GMT'),
  ),
  measure("parseRecordDate 'milliseconds'", (i) => parseRecordDate(base + i, 'milliseconds')),
  measure("format yyyy-MM-dd'T'HH:mm:ss.SSSXXX in Europe/Berlin", (i) =>
    isoPattern.format(at(i), 'Europe/Berlin'),
  ),
];

const rate = (result: Result): string =>
  Math.round(result.operations / result.seconds).toLocaleString('en-US');
console.log(`date-template benchmark — node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`);
console.log('| case | operations | seconds | ops/s |');
console.log('|---|---:|---:|---:|');
for (const result of results) {
  console.log(
    `| ${result.name} | ${result.operations.toLocaleString('en-US')} | ${result.seconds.toFixed(2)} | ${rate(result)} |`,
  );
}
