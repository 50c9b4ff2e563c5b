import { extraJvmOptions, LocalKafkaError } from './local-kafka';

describe('extraJvmOptions (POLLCAST_KAFKA_JVM_OPTS)', () => {
  it('adds nothing by default', () => {
    expect(extraJvmOptions('')).toEqual([]);
    expect(extraJvmOptions('  ')).toEqual([]);
  });

  it('splits the options on whitespace', () => {
    expect(extraJvmOptions(' -XX:TieredStopAtLevel=1   -Xlog:jit+compilation=debug ')).toEqual([
      '-XX:TieredStopAtLevel=1',
      '-Xlog:jit+compilation=debug',
    ]);
  });

  it('refuses a word that is not an option, naming it', () => {
    expect(() => extraJvmOptions('-Xss1m kafka.Kafka')).toThrow(LocalKafkaError);
    expect(() => extraJvmOptions('-Xss1m kafka.Kafka')).toThrow(/'kafka\.Kafka' is not a JVM option/);
  });
});
