import type { Logger } from 'pino';

/**
 * Warnings Node prints itself are plain text on stderr: one non-JSON line in a service's log stream.
 * Unpatched kafkajs' request queue emitted one in every process that talks to Kafka (`setTimeout` with a
 * negative delay when nothing is throttled; Node then waits 1 ms); our patch no longer schedules that
 * timer, and the warning, should another library emit it, stays harmless and is logged at debug.
 */
const HARMLESS_WARNINGS = new Set(['TimeoutNegativeWarning']);

let routed = false;

/**
 * Replaces Node's own printing of process warnings with JSON lines through `logger`. Once per process;
 * the first logger wins (tests may start several services in one process).
 */
export function routeProcessWarnings(logger: Logger): void {
  if (routed) return;
  routed = true;
  process.removeAllListeners('warning');
  process.on('warning', (warning: Error & { code?: string }) => {
    const fields = { warning: { name: warning.name, code: warning.code, message: warning.message } };
    if (HARMLESS_WARNINGS.has(warning.name)) logger.debug(fields, 'process warning');
    else logger.warn({ ...fields, stack: warning.stack }, 'process warning');
  });
}
