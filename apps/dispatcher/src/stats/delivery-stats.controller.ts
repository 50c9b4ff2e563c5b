import { Controller, Get, Inject, Param, Query, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ZodValidationPipe } from '@pollcast/service-kit';
import { CurrentPrincipal, TenantAuthGuard, type Principal } from '@pollcast/tenant-auth';
import { DeliveryStatsDto } from './delivery-stats.dtos';
import {
  deliveryStatsQuerySchema,
  MAX_BUCKET_MINUTES,
  MAX_STATS_HOURS,
  type DeliveryStatsQuery,
  type DeliveryStatsView,
} from './delivery-stats.schemas';
import { DeliveryStatsUseCase } from './delivery-stats.use-case';

/** What the console charts: the last hours of one instance's events and deliveries, per bucket. */
@ApiTags('events')
@ApiSecurity('pollcast')
@UseGuards(TenantAuthGuard)
@Controller('elements/api-v2/instances')
export class DeliveryStatsController {
  constructor(@Inject(DeliveryStatsUseCase) private readonly useCase: DeliveryStatsUseCase) {}

  @Get(':id/delivery-stats')
  @ApiOperation({
    summary:
      'Events per bucket by type, delivery attempts by outcome, and event-time-to-2xx latency (p50, p99)',
  })
  @ApiParam({ name: 'id', description: 'Instance id', example: '42' })
  @ApiQuery({
    name: 'hours',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: MAX_STATS_HOURS, default: 24 },
  })
  @ApiQuery({
    name: 'bucketMinutes',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: MAX_BUCKET_MINUTES, default: 1 },
  })
  @ApiOkResponse({ type: DeliveryStatsDto })
  stats(
    @CurrentPrincipal() principal: Principal,
    @Param('id') instanceId: string,
    @Query(new ZodValidationPipe(deliveryStatsQuerySchema)) query: DeliveryStatsQuery,
  ): Promise<DeliveryStatsView> {
    return this.useCase.stats(principal, instanceId, query);
  }
}
