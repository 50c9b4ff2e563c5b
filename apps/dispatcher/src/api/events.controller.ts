import { Body, Controller, Get, Inject, Param, Put, Query, Res, UseGuards } from '@nestjs/common';
import {
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiPageResponse, NEXT_PAGE_HEADER, ZodValidationPipe } from '@pollcast/service-kit';
import { CurrentPrincipal, TenantAuthGuard, type Principal } from '@pollcast/tenant-auth';
import { EventDetailDto, EventDto, RedeliverBodyDto, RedeliverResultDto } from './events-api.dtos';
import {
  EVENT_STATUSES,
  listEventsQuerySchema,
  MAX_EVENTS_PAGE_SIZE,
  redeliverBodySchema,
  type EventDetailView,
  type EventView,
  type ListEventsQuery,
  type RedeliverBody,
  type RedeliverResult,
} from './events-api.schemas';
import { EventsApi } from './events-api.use-case';

const instanceIdParam = { name: 'id', description: 'Instance id', example: '42' };

/** Open Connectors' events API: what was received, what was sent, and redelivery. 400, 401, 404, 429
 * and 503 are declared on every operation by addCommonResponses (service-kit). */
@ApiTags('events')
@ApiSecurity('pollcast')
@UseGuards(TenantAuthGuard)
@Controller('elements/api-v2/instances')
export class EventsController {
  constructor(@Inject(EventsApi) private readonly events: EventsApi) {}

  @Get('events/:eventId')
  @ApiOperation({ summary: "One event of any of the organization's instances, with its delivery attempts" })
  @ApiParam({ name: 'eventId' })
  @ApiOkResponse({ type: EventDetailDto })
  getAnyInstanceEvent(
    @CurrentPrincipal() principal: Principal,
    @Param('eventId') eventId: string,
  ): Promise<EventDetailView> {
    return this.events.get(principal, null, eventId);
  }

  @Get(':id/events')
  @ApiOperation({ summary: 'Events of the instance, newest received first' })
  @ApiParam(instanceIdParam)
  @ApiQuery({
    name: 'status',
    required: false,
    description: `One status or several, comma-separated or repeated: ${EVENT_STATUSES.join(', ')}`,
    schema: { type: 'string', example: 'RETRYING,QUEUED' },
  })
  @ApiQuery({
    name: 'from',
    required: false,
    description: 'Received at or after (RFC 3339, offset within ±14:00)',
    schema: { type: 'string', format: 'date-time' },
  })
  @ApiQuery({
    name: 'to',
    required: false,
    description: 'Received before (RFC 3339, offset within ±14:00)',
    schema: { type: 'string', format: 'date-time' },
  })
  @ApiQuery({
    name: 'pageSize',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: MAX_EVENTS_PAGE_SIZE, default: 100 },
  })
  @ApiQuery({
    name: 'nextPage',
    required: false,
    description: 'The Elements-Next-Page-Token header of the previous page',
    schema: { type: 'string', maxLength: 500 },
  })
  @ApiPageResponse(EventDto)
  async list(
    @CurrentPrincipal() principal: Principal,
    @Param('id') instanceId: string,
    @Query(new ZodValidationPipe(listEventsQuerySchema)) query: ListEventsQuery,
    @Res({ passthrough: true }) response: Response,
  ): Promise<EventView[]> {
    const page = await this.events.list(principal, instanceId, query);
    if (page.nextPage) response.setHeader(NEXT_PAGE_HEADER, page.nextPage);
    return page.events;
  }

  @Put(':id/events/redeliver')
  @ApiOperation({
    summary:
      'Reactivate the subscription and send queued notifications again; with eventIds or from/to, replay those events',
  })
  @ApiParam(instanceIdParam)
  @ApiBody({ type: RedeliverBodyDto, required: false })
  @ApiOkResponse({ type: RedeliverResultDto })
  redeliver(
    @CurrentPrincipal() principal: Principal,
    @Param('id') instanceId: string,
    @Body(new ZodValidationPipe(redeliverBodySchema)) body: RedeliverBody,
  ): Promise<RedeliverResult> {
    return this.events.redeliver(principal, instanceId, body);
  }

  @Get(':id/events/:eventId')
  @ApiOperation({ summary: 'One event of the instance, with every delivery attempt' })
  @ApiParam(instanceIdParam)
  @ApiParam({ name: 'eventId' })
  @ApiOkResponse({ type: EventDetailDto })
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id') instanceId: string,
    @Param('eventId') eventId: string,
  ): Promise<EventDetailView> {
    return this.events.get(principal, instanceId, eventId);
  }
}
