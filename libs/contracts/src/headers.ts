/** Kafka header names. Values are UTF-8 strings. */
export const HEADERS = {
  /** The poll id: every service logs it as `correlationId`. */
  correlationId: 'pollcast-correlation-id',
  /** Schema version of the value. */
  schema: 'pollcast-schema',
  /** Set on DLQ messages (all start with DLQ_HEADER_PREFIX; a replay removes them). */
  dlqReason: 'pollcast-dlq-reason',
  /** How many times the consumer tried the message before giving up (decimal). */
  dlqAttempts: 'pollcast-dlq-attempts',
  dlqSourceTopic: 'pollcast-dlq-source-topic',
  dlqSourcePartition: 'pollcast-dlq-source-partition',
  dlqSourceOffset: 'pollcast-dlq-source-offset',
  dlqService: 'pollcast-dlq-service',
  dlqConsumerGroup: 'pollcast-dlq-consumer-group',
  /** ISO 8601 time the message was dead-lettered. */
  dlqFailedAt: 'pollcast-dlq-failed-at',
  /** CloudEvents 1.0 Kafka protocol binding, binary content mode. */
  ceId: 'ce_id',
  ceSource: 'ce_source',
  ceType: 'ce_type',
  ceSpecVersion: 'ce_specversion',
  ceTime: 'ce_time',
  ceSubject: 'ce_subject',
  contentType: 'content-type',
} as const;

/** Every DLQ header name starts with this. */
export const DLQ_HEADER_PREFIX = 'pollcast-dlq-';

/** Message key for raw changes and events: all changes of one object stay in one partition, in order. */
export function objectKey(instanceId: string, resource: string, objectId: string): string {
  return `${instanceId}/${resource}/${objectId}`;
}
