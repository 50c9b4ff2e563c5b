import type { z } from 'zod';

/** Writes one JSON log line to stdout (the dev tools log without pino: one line per event is enough). */
export type LogLine = (fields: Record<string, unknown>) => void;

export function jsonLineLogger(service: string): LogLine {
  return (fields) =>
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), service, ...fields })}\n`);
}

/** The tool's environment by its schema; on a problem, one readable line on stderr and exit 1. */
export function parseToolEnv<S extends z.ZodType>(
  service: string,
  schema: S,
  env: Record<string, string | undefined>,
): z.output<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.map(String).join('.')}: ${issue.message}`,
    );
    process.stderr.write(`${service}: invalid environment: ${problems.join('; ')}\n`);
    process.exit(1);
  }
  return parsed.data;
}

/** On the first SIGTERM or SIGINT: `close`, log the stop, exit 0 (1 when closing failed). */
export function stopOnSignals(service: string, close: () => Promise<void>, log: LogLine): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    close().then(
      () => {
        log({ level: 'info', msg: `${service} stopped`, signal });
        process.exit(0);
      },
      (error: unknown) => {
        log({ level: 'error', msg: `${service} stop failed`, signal, error: String(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** Runs the tool's start-up; a failure is one line on stderr and exit 1. */
export function runTool(service: string, start: () => Promise<void>): void {
  start().catch((error: unknown) => {
    process.stderr.write(
      `${service}: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
}
