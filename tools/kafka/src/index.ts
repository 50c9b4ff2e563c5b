export {
  KAFKA_VERSION,
  LocalKafkaError,
  brokerAnswers,
  ensureKafkaJars,
  readPid,
  startLocalKafka,
  stopPid,
  type LocalKafkaHandle,
  type LocalKafkaOptions,
} from './local-kafka';
