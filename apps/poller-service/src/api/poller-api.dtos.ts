// Classes that only describe the poller API's bodies for the OpenAPI document; the zod schemas in
// poller-api.schemas.ts validate, and the views there are what the handlers answer.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

const RUN_STATUSES = ['succeeded', 'failed', 'abandoned', 'superseded'];

export class PollWindowDto {
  @ApiProperty({ format: 'date-time', example: '2026-01-01T00:00:00.000Z' }) from!: string;
  @ApiProperty({ format: 'date-time', example: '2026-01-01T00:15:00.000Z' }) to!: string;
}

export class PollRunErrorDto {
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'auth, rate_limit, transient, permanent, … (null when unclassified)',
    example: 'transient',
  })
  kind!: string | null;
  @ApiProperty({ example: 'provider answered 503' }) message!: string;
}

export class PollRunDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: '42' }) instanceId!: string;
  @ApiProperty({ example: 'contacts' }) resource!: string;
  @ApiProperty({ example: 'maximizer' }) elementKey!: string;
  @ApiProperty({ enum: RUN_STATUSES, example: 'succeeded' }) status!: string;
  @ApiProperty({ format: 'date-time' }) scheduledFor!: string;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiProperty({ format: 'date-time' }) finishedAt!: string;
  @ApiProperty({ type: PollWindowDto, description: 'The provider records read: updated in [from, to)' })
  window!: PollWindowDto;
  @ApiProperty({ type: 'integer', example: 1 }) pages!: number;
  @ApiProperty({ type: 'integer', example: 3 }) records!: number;
  @ApiProperty({ type: PollRunErrorDto, nullable: true }) error!: PollRunErrorDto | null;
  @ApiProperty({ description: 'The replica that ran it', example: 'poller-7f9c' }) owner!: string;
}

export class ResourceStateDto {
  @ApiProperty({ example: 'contacts' }) resource!: string;
  @ApiProperty() active!: boolean;
  @ApiProperty({ enum: ['ok', 'failing', 'error', 'disabled'], example: 'ok' }) state!: string;
  @ApiProperty({ description: 'A poll holds the resource right now' }) running!: boolean;
  @ApiProperty({ type: 'integer', example: 900 }) intervalSeconds!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) nextDueAt!: string | null;
  @ApiProperty({ format: 'date-time', description: 'Records updated before this were read' })
  watermark!: string;
  @ApiProperty({ type: 'integer', example: 0 }) consecutiveFailures!: number;
  @ApiProperty({ type: String, nullable: true }) lastError!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastErrorAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastSuccessAt!: string | null;
  @ApiProperty({ description: 'Poll now was asked and has not started yet' }) pollRequested!: boolean;
  @ApiProperty({ type: String, nullable: true }) leaseOwner!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) leaseExpiresAt!: string | null;
  @ApiProperty({
    type: () => ReconciliationStateDto,
    nullable: true,
    description: 'Deletion detection by reconciliation (deletions.mode "reconcile"); null when off',
  })
  reconciliation!: ReconciliationStateDto | null;
}

export class LastReconciliationDto {
  @ApiProperty({ format: 'uuid', description: 'Also the correlation id of its deletion raw changes' })
  runId!: string;
  @ApiProperty({ enum: ['succeeded', 'failed'], example: 'succeeded' }) status!: string;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiProperty({ format: 'date-time' }) finishedAt!: string;
  @ApiProperty({ type: 'integer', example: 8150 }) durationMs!: number;
  @ApiProperty({ type: 'integer', description: 'Ids the listing returned', example: 12000 })
  idsListed!: number;
  @ApiProperty({
    type: 'integer',
    description: 'Known ids the complete listing did not return, published as deletions (0 when it failed)',
    example: 3,
  })
  deletionsFound!: number;
  @ApiPropertyOptional({ description: 'Why it failed (nothing was deleted)' }) error?: string;
}

export class ReconciliationStateDto {
  @ApiProperty({ description: 'A reconciliation holds the resource right now' }) running!: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) nextDueAt!: string | null;
  @ApiProperty({ description: 'Reconcile now was asked and has not started yet' }) requested!: boolean;
  @ApiProperty({ type: LastReconciliationDto, nullable: true }) last!: LastReconciliationDto | null;
}

export class PollerStateDto {
  @ApiProperty({ example: '42' }) instanceId!: string;
  @ApiProperty({ description: 'Polling is on (instance enabled, events enabled)' }) active!: boolean;
  @ApiProperty({ type: [ResourceStateDto] }) resources!: ResourceStateDto[];
}

export class PollNowBodyDto {
  @ApiPropertyOptional({ description: 'One resource; every resource when absent', example: 'contacts' })
  resource?: string;
  @ApiPropertyOptional({
    description:
      'true: run a reconciliation (list every id, publish DELETED for known ids gone) instead of a poll; only resources whose deletions.mode is "reconcile"',
    example: true,
  })
  reconcile?: boolean;
}

export class PollNowResultDto {
  @ApiProperty({ type: 'integer', description: 'Resources asked to poll', example: 1 }) requested!: number;
}

export class WatermarkBodyDto {
  @ApiProperty({
    format: 'date-time',
    description: 'RFC 3339 with an offset within ±14:00, not in the future, not before 0001',
    example: '2026-01-01T00:00:00Z',
  })
  watermark!: string;
}
