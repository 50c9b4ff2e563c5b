import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A Kafka message written in the same transaction as the change it announces; the relay publishes
 * and deletes it. */
@Entity({ name: 'outbox' })
export class OutboxMessageEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column('text') topic!: string;
  @Column('text', { name: 'message_key' }) messageKey!: string;
  /** null = tombstone. */
  @Column('jsonb', { nullable: true }) value!: unknown;
  @Column('jsonb') headers!: Record<string, string>;
  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' }) createdAt!: Date;
}
