import { Column, Entity, PrimaryColumn } from 'typeorm';

/** What the normalizer last emitted for one object (migrations own the DDL; this maps it). */
@Entity({ name: 'object_state', schema: 'normalizer' })
export class ObjectStateEntity {
  @PrimaryColumn({ name: 'instance_id', type: 'text' })
  instanceId!: string;

  @PrimaryColumn({ name: 'resource', type: 'text' })
  resource!: string;

  @PrimaryColumn({ name: 'object_id', type: 'text' })
  objectId!: string;

  /** Epoch ms; bigint so millisecond instants round-trip exactly (timestamptz is microseconds). */
  @Column({ name: 'updated_ms', type: 'bigint', nullable: true })
  updatedMs!: string | null;

  /** Hex SHA-256 of the record's canonical JSON. */
  @Column({ name: 'content_hash', type: 'text' })
  contentHash!: string;

  /** A tombstone: the last event was DELETED. */
  @Column({ name: 'deleted', type: 'boolean' })
  deleted!: boolean;

  @Column({ name: 'last_event_id', type: 'uuid' })
  lastEventId!: string;

  @Column({ name: 'last_poll_id', type: 'text' })
  lastPollId!: string;

  @Column({ name: 'changed_at', type: 'timestamptz' })
  changedAt!: Date;
}
