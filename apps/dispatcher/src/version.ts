import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The dispatcher's version from its package.json (src/ and dist/ both sit one level below it). */
function readVersion(): string {
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8'));
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      'version' in parsed &&
      typeof parsed.version === 'string'
    ) {
      return parsed.version;
    }
  } catch {
    // fall through: a missing package.json must not stop deliveries
  }
  return '0.0.0';
}

export const DISPATCHER_VERSION = readVersion();
export const USER_AGENT = `Pollcast-Dispatcher/${DISPATCHER_VERSION}`;
