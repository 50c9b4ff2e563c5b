import { topicName } from '@pollcast/contracts';
import type { Env } from './env';

/** The normalizer's settings, derived once from the validated environment. */
export interface NormalizerSettings {
  eventsTopic: string;
  groupId: string;
  partitionsConsumedConcurrently: number;
  /** A serialized event above this size is dead-lettered instead of failing its batch forever. */
  maxEventBytes: number;
}

export const NORMALIZER_SETTINGS = Symbol('NORMALIZER_SETTINGS');

export function settingsFromEnv(env: Env): NormalizerSettings {
  const prefix = env.POLLCAST_TOPIC_PREFIX;
  return {
    eventsTopic: topicName('events', prefix),
    groupId: env.NORMALIZER_GROUP_ID ?? `${prefix}pollcast-normalizer`,
    partitionsConsumedConcurrently: env.NORMALIZER_PARTITIONS_CONCURRENTLY,
    maxEventBytes: env.NORMALIZER_MAX_EVENT_BYTES,
  };
}
