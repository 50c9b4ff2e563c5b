// Classes that only describe the events API's bodies for the OpenAPI document; events-api.schemas.ts
// validates, and its views are what the handlers answer.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { EVENT_STATUSES } from './events-api.schemas';

export class EventDto {
  @ApiProperty({ description: 'Stable id of the change (the same on redelivery)' }) id!: string;
  @ApiProperty({ example: '42' }) instanceId!: string;
  @ApiProperty({ example: 'maximizer' }) elementKey!: string;
  @ApiProperty({ example: 'UPDATED', description: 'CREATED, UPDATED or DELETED' }) eventType!: string;
  @ApiProperty({ example: 'contacts' }) objectType!: string;
  @ApiProperty({ example: 'Q29udGFjdAkxMjM0' }) objectId!: string;
  @ApiProperty({ format: 'date-time' }) eventDate!: string;
  @ApiProperty({ format: 'date-time' }) receivedDate!: string;
  @ApiProperty({ enum: EVENT_STATUSES, example: 'NOTIFIED' }) status!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The notification that carries it' })
  notificationId!: string | null;
  @ApiProperty({ type: 'integer', example: 1 }) attempts!: number;
  @ApiProperty({ type: String, nullable: true }) lastError!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) deliveredDate!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) nextAttemptDate!: string | null;
  @ApiProperty({
    description: "The provider record, as Open Connectors' providerData (any JSON)",
    nullable: true,
  })
  providerData!: unknown;
}

export class DeliveryAttemptDto {
  @ApiProperty() notificationId!: string;
  @ApiProperty({ type: 'integer', example: 1 }) attempt!: number;
  @ApiProperty({ format: 'date-time' }) attemptedAt!: string;
  @ApiProperty({ type: 'integer', nullable: true, example: 200 }) statusCode!: number | null;
  @ApiProperty({ type: 'integer', example: 35 }) latencyMs!: number;
  @ApiProperty({ example: 'delivered' }) outcome!: string;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The first bytes the endpoint answered' })
  responseBody!: string | null;
}

export class EventDetailDto extends EventDto {
  @ApiProperty({ type: [DeliveryAttemptDto] }) deliveryAttempts!: DeliveryAttemptDto[];
}

export class RedeliverBodyDto {
  @ApiPropertyOptional({
    type: [String],
    minItems: 1,
    maxItems: 1000,
    description: 'Replay these events (any status)',
  })
  eventIds?: string[];
  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Replay the events received at or after this (offset within ±14:00)',
    example: '2026-01-01T00:00:00Z',
  })
  from?: string;
  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Replay the events received before this',
    example: '2026-01-02T00:00:00Z',
  })
  to?: string;
}

export class RedeliverResultDto {
  @ApiProperty() subscriptionReactivated!: boolean;
  @ApiProperty({ type: 'integer', description: 'Queued notifications sent again with their original id' })
  requeuedNotifications!: number;
  @ApiProperty({ type: 'integer', description: 'Events replayed in new notifications' })
  replayedEvents!: number;
  @ApiProperty({ type: 'integer' }) replayNotifications!: number;
}
