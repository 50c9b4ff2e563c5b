import { spawnSync } from 'node:child_process';
import { REPO_ROOT } from '@pollcast/dev';

// No Docker engine runs here, but when a docker client with the compose plugin exists, the file must
// be accepted as written.
const composeAvailable = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' }).status === 0;

describe('docker-compose.yml', () => {
  it('is accepted by `docker compose config` (when the compose plugin is installed)', () => {
    if (!composeAvailable) {
      process.stderr.write('docker compose is not installed here: the compose file check did not run\n');
      return;
    }
    const result = spawnSync('docker', ['compose', 'config', '--quiet'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, POLLCAST_SERVICE_TOKEN: 'x', POLLCAST_ENCRYPTION_KEYS: 'k1:x' },
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
