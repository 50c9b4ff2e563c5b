/* `npm run dlq -- <command>`: look into the DLQ topics and replay ranges back to their source topics.
 * Talks to the broker in KAFKA_BROKERS (default 127.0.0.1:9092, the broker of `npm start`). */
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { z } from 'zod';
import { registerKafkaCodecs } from '../kafka-tuning';
import { listDlqTopics, replayDlqRange, showDlqRange, type DlqRange } from './dlq-tool';

// DLQ messages keep the codec their service produced them with (zstd by default).
registerKafkaCodecs();

const USAGE = `Usage: npm run dlq -- <command> [options]

Commands:
  list   [--prefix P]                                   messages per DLQ topic and partition
  show   --topic T --partition N [--from A] [--to B]    offset, key, source, attempts and reason of each
                                                        dead letter (never the value)
  replay --topic T --partition N [--from A] [--to B]    publish the range (inclusive) back to each
         [--target TOPIC] [--dry-run]                   message's source topic: same key, value and
                                                        headers, without the pollcast-dlq-* ones

Environment: KAFKA_BROKERS (host:port[,host:port…], default 127.0.0.1:9092).
Example: npm run dlq -- replay --topic pollcast.events.dlq.v1 --partition 0 --from 10 --to 20`;

const envSchema = z.object({
  KAFKA_BROKERS: z
    .string()
    .regex(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, 'expected host:port[,host:port…]')
    .default('127.0.0.1:9092'),
});

const offset = z
  .string()
  .regex(/^\d+$/, 'expected a non-negative integer offset')
  .transform((value) => BigInt(value));

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** Runs one command; resolves with the process exit code. */
export async function runDlqCli(
  argv: string[],
  env: Record<string, string | undefined>,
  io: CliIo = {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  },
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        topic: { type: 'string' },
        partition: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        target: { type: 'string' },
        prefix: { type: 'string' },
        'dry-run': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    io.err(`dlq: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.help || !command || !['list', 'show', 'replay'].includes(command)) {
    if (values.help) io.out(USAGE);
    else io.err(USAGE);
    return values.help ? 0 : 2;
  }
  const config = envSchema.safeParse(env);
  if (!config.success) {
    io.err(`dlq: KAFKA_BROKERS: ${config.error.issues[0]?.message ?? 'invalid'}`);
    return 2;
  }
  const kafka = new Kafka({
    clientId: 'pollcast-dlq',
    brokers: config.data.KAFKA_BROKERS.split(','),
    connectionTimeout: 5000,
    logLevel: logLevel.NOTHING,
  });
  try {
    if (command === 'list') {
      const topics = await listDlqTopics(kafka, { prefix: values.prefix });
      if (topics.length === 0) io.out('no DLQ topics');
      for (const topic of topics) {
        io.out(`${topic.topic}  ${topic.total} message(s)`);
        for (const p of topic.partitions) {
          if (p.count > 0)
            io.out(`  partition ${p.partition}: ${p.count} (offsets ${p.low}..${BigInt(p.high) - 1n})`);
        }
      }
      return 0;
    }
    const range = rangeOf(values);
    if ('error' in range) {
      io.err(`dlq: ${range.error}\n\n${USAGE}`);
      return 2;
    }
    if (command === 'show') {
      const entries = await showDlqRange(kafka, range);
      for (const entry of entries) {
        io.out(
          `${entry.offset}  key=${entry.key ?? '-'}  from=${entry.sourceTopic ?? '?'}[${entry.sourcePartition ?? '?'}]@${entry.sourceOffset ?? '?'}  service=${entry.service ?? '?'}  attempts=${entry.attempts ?? '?'}  at=${entry.failedAt ?? '?'}  reason=${entry.reason ?? '?'}`,
        );
      }
      io.out(`${entries.length} dead letter(s)`);
      return 0;
    }
    const dryRun = values['dry-run'] === true;
    const summary = await replayDlqRange(kafka, {
      ...range,
      target: values.target,
      dryRun,
      onProgress: ({ replayed, skipped, lastOffset }) =>
        io.out(
          `… ${dryRun ? 'would replay' : 'replayed'} ${replayed}, skipped ${skipped}, up to offset ${lastOffset}`,
        ),
    });
    if (summary.from === undefined) {
      io.out(`nothing to replay: ${range.topic}[${range.partition}] holds no message in that range`);
      return 0;
    }
    const targets = Object.entries(summary.targets)
      .map(([topic, count]) => `${count} to ${topic}`)
      .join(', ');
    io.out(
      `${dryRun ? 'dry run: would have replayed' : 'replayed'} ${summary.replayed} message(s) of ${summary.topic}[${summary.partition}] offsets ${summary.from}..${summary.to}${targets ? ` (${targets})` : ''}; skipped ${summary.skipped} without a source topic`,
    );
    return summary.skipped > 0 ? 1 : 0;
  } catch (error) {
    io.err(`dlq: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

function rangeOf(values: {
  topic?: string;
  partition?: string;
  from?: string;
  to?: string;
}): DlqRange | { error: string } {
  if (!values.topic) return { error: '--topic is required' };
  if (!values.partition || !/^\d+$/.test(values.partition))
    return { error: '--partition is required (a partition number)' };
  const from = values.from === undefined ? undefined : offset.safeParse(values.from);
  const to = values.to === undefined ? undefined : offset.safeParse(values.to);
  if (from && !from.success) return { error: `--from: ${from.error.issues[0]?.message ?? 'invalid'}` };
  if (to && !to.success) return { error: `--to: ${to.error.issues[0]?.message ?? 'invalid'}` };
  if (from?.data !== undefined && to?.data !== undefined && from.data > to.data)
    return { error: '--from is after --to' };
  return { topic: values.topic, partition: Number(values.partition), from: from?.data, to: to?.data };
}
