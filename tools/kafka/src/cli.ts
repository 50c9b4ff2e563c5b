/**
 * `npm run kafka -- start|stop|status [--dir D] [--port N] [--controller-port N]`
 * Manages one local broker. With KAFKA_BROKERS set, nothing is started: that cluster is used.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { rmSync } from 'node:fs';
import { brokerAnswers, LocalKafkaError, readPid, startLocalKafka, stopPid } from './local-kafka';

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      dir: { type: 'string', default: resolve(__dirname, '../../../.data/dev/kafka') },
      port: { type: 'string', default: '9092' },
      'controller-port': { type: 'string', default: '9093' },
      'keep-data': { type: 'boolean', default: true },
    },
  });
  const command = positionals[0] ?? 'status';
  const dir = resolve(values.dir);
  const external = process.env.KAFKA_BROKERS;
  if (external) {
    const ok = await brokerAnswers(external);
    console.log(
      `KAFKA_BROKERS=${external} is set: using that cluster, starting nothing (${ok ? 'answers' : 'NOT answering'})`,
    );
    return ok ? 0 : 1;
  }
  switch (command) {
    case 'start': {
      const handle = await startLocalKafka({
        dir,
        port: Number(values.port),
        controllerPort: Number(values['controller-port']),
        keepData: values['keep-data'],
        log: (line) => console.log(line),
      });
      console.log(`brokers: ${handle.brokers}  pid: ${handle.pid}  data: ${dir}`);
      return 0;
    }
    case 'stop': {
      const pid = readPid(dir);
      if (pid === undefined) {
        console.log(`no broker running from ${dir}`);
        return 0;
      }
      await stopPid(pid);
      rmSync(`${dir}/kafka.pid`, { force: true });
      console.log(`stopped broker pid ${pid}`);
      return 0;
    }
    case 'status': {
      const pid = readPid(dir);
      const brokers = `127.0.0.1:${values.port}`;
      const answers = await brokerAnswers(brokers);
      console.log(`${answers ? 'up' : 'down'}: ${brokers}${pid ? ` (pid ${pid})` : ''}`);
      return answers ? 0 : 1;
    }
    default:
      console.error(`unknown command "${command}": use start, stop or status`);
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof LocalKafkaError ? `kafka: ${error.message}` : error);
    process.exit(1);
  },
);
