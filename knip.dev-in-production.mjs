// knip preprocessor for the third run of `npm run check:deps`
// (knip --production --strict --include unlisted): it reports a devDependency that production code
// imports, which `npm prune --omit=dev` in the Dockerfile would take away from under a service.
//
// knip's strict mode wants every workspace to list its own dependencies; this repository lists them
// all in the root package.json, so strict mode calls every import "unlisted". What is kept here is the
// real finding: an import, from a production file, of a package the root lists as a devDependency.
// Production files are those of apps/ and libs/, except the console (Vite bundles what it imports into
// static files at build time) and libs/testing (test helpers).
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const { devDependencies = {} } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const PRODUCTION = /^(apps|libs)\//;
const NOT_PRODUCTION = /^(apps\/console|libs\/testing)\//;

/** @param {import('knip').ReporterOptions} options */
export default function devDependenciesInProduction(options) {
  const { issues, counters, cwd } = options;
  let found = 0;
  for (const [filePath, byPackage] of Object.entries(issues.unlisted)) {
    const file = relative(cwd, filePath);
    const production = PRODUCTION.test(file) && !NOT_PRODUCTION.test(file);
    for (const name of Object.keys(byPackage)) {
      if (production && Object.hasOwn(devDependencies, name)) found += 1;
      else delete byPackage[name];
    }
    if (Object.keys(byPackage).length === 0) delete issues.unlisted[filePath];
  }
  counters.unlisted = found;
  return options;
}
