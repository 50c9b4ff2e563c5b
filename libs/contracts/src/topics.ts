/** Default topic names. Each is configuration: `POLLCAST_TOPIC_PREFIX` is put in front of all of them. */
export const TOPICS = {
  instances: 'pollcast.instances.v1',
  rawChanges: 'pollcast.changes.raw.v1',
  events: 'pollcast.events.v1',
  instancesDlq: 'pollcast.instances.dlq.v1',
  rawChangesDlq: 'pollcast.changes.raw.dlq.v1',
  eventsDlq: 'pollcast.events.dlq.v1',
} as const;
export type TopicRole = keyof typeof TOPICS;

export function topicName(role: TopicRole, prefix = ''): string {
  return `${prefix}${TOPICS[role]}`;
}

/** The DLQ of each consumed topic. */
export const DLQ_OF = {
  instances: 'instancesDlq',
  rawChanges: 'rawChangesDlq',
  events: 'eventsDlq',
} as const satisfies Partial<Record<TopicRole, TopicRole>>;

export interface TopicSpec {
  name: string;
  partitions: number;
  config?: Record<string, string>;
}

/** The instance snapshot topic is compacted: its latest value per key is the instance's state. */
export const COMPACTED_TOPIC_CONFIG = { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '0' };

/** Topic specs for the given roles, with the configured prefix and partition count. The instance
 * snapshot topic is compacted. */
export function topicSpecs(
  roles: ReadonlyArray<TopicRole>,
  options: { prefix: string; partitions: number },
): TopicSpec[] {
  return roles.map((role) => ({
    name: topicName(role, options.prefix),
    partitions: options.partitions,
    config: role === 'instances' ? COMPACTED_TOPIC_CONFIG : undefined,
  }));
}
