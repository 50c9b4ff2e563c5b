// Describes the delivery-stats body for the OpenAPI document; delivery-stats.schemas.ts holds the view.
import { ApiProperty } from '@nestjs/swagger';

const countSeries = {
  type: 'object',
  additionalProperties: { type: 'array', items: { type: 'integer' } },
} as const;
const nullableNumbers = { type: 'array', items: { type: 'number', nullable: true } } as const;

export class LatencySeriesDto {
  @ApiProperty(nullableNumbers) p50!: (number | null)[];
  @ApiProperty(nullableNumbers) p99!: (number | null)[];
}

export class LatencyTotalsDto {
  @ApiProperty({ type: Number, nullable: true }) p50!: number | null;
  @ApiProperty({ type: Number, nullable: true }) p99!: number | null;
}

export class DeliveryStatsTotalsDto {
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, example: { CREATED: 3 } })
  eventsByType!: Record<string, number>;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, example: { delivered: 3 } })
  attemptsByOutcome!: Record<string, number>;
  @ApiProperty({ type: 'integer' }) deliveredEvents!: number;
  @ApiProperty({ type: LatencyTotalsDto }) latencyMs!: LatencyTotalsDto;
}

export class DeliveryStatsDto {
  @ApiProperty({ example: '42' }) instanceId!: string;
  @ApiProperty({ format: 'date-time' }) from!: string;
  @ApiProperty({ format: 'date-time' }) to!: string;
  @ApiProperty({ type: 'integer', example: 60 }) bucketSeconds!: number;
  @ApiProperty({ type: 'array', items: { type: 'integer' }, description: 'Bucket starts, Unix seconds' })
  bucketStarts!: number[];
  @ApiProperty({ ...countSeries, description: 'Events received per bucket, by event type' })
  eventsByType!: Record<string, number[]>;
  @ApiProperty({ ...countSeries, description: 'Delivery attempts per bucket, by outcome' })
  attemptsByOutcome!: Record<string, number[]>;
  @ApiProperty({
    type: LatencySeriesDto,
    description: 'Event time → 2xx (ms) of events delivered in each bucket',
  })
  latencyMs!: LatencySeriesDto;
  @ApiProperty({ type: DeliveryStatsTotalsDto }) totals!: DeliveryStatsTotalsDto;
}
