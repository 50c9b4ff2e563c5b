// Tenants for the soak: organizations and users made the way an operator makes them (the tenant CLI).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '@pollcast/dev';
import type { RunningPlatform } from '../support/platform';

/** A new organization with one user, through instance-service's tenant CLI; returns its Authorization. */
export function createTenant(platform: RunningPlatform, name: string): string {
  const spec = platform.processes.find((p) => p.spec.name === 'instance-service')!.spec;
  const cli = (...cliArgs: string[]) => {
    const result = spawnSync(
      process.execPath,
      [join('apps', 'instance-service', 'dist', 'cli.js'), ...cliArgs],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, ...spec.env },
        encoding: 'utf8',
      },
    );
    if (result.status !== 0) throw new Error(`pollcast ${cliArgs.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };
  const org = cli('org', 'create', '--name', name);
  const orgId = /organization (\d+)/.exec(org)?.[1];
  const orgSecret = /organization secret[^:]*: (\S+)/.exec(org)?.[1];
  const user = cli('user', 'create', '--org', orgId ?? '', '--email', `${name}@soak.example`);
  const userSecret = /user secret[^:]*: (\S+)/.exec(user)?.[1];
  if (!orgSecret || !userSecret) throw new Error(`could not read the secrets of tenant ${name}`);
  return `User ${userSecret}, Organization ${orgSecret}`;
}
