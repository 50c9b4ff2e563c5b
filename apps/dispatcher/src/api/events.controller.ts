import { Body, Controller, Get, Inject, Param, Put, Query, Res, UseGuards } from '@nestjs/common';
import { ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { z } from 'zod';
import { RequestValidationError } from '@pollcast/service-kit';
import { CurrentTenant, TenantAuthGuard, type Tenant } from '@pollcast/tenant-auth';
import {
  listEventsQuerySchema,
  redeliverBodySchema,
  type EventDetailView,
  type EventView,
  type RedeliverResult,
} from './events-api.schemas';
import { EventsService } from './events.service';

function parse<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const errors = parsed.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || where,
    message: issue.message,
  }));
  throw new RequestValidationError(
    `Invalid ${where}: ${errors.map((error) => `${error.path}: ${error.message}`).join('; ')}`,
    errors,
  );
}

/** Open Connectors' events API: what was received, what was sent, and redelivery. */
@ApiTags('events')
@ApiSecurity('pollcast')
@UseGuards(TenantAuthGuard)
@Controller('elements/api-v2/instances')
export class EventsController {
  constructor(@Inject(EventsService) private readonly events: EventsService) {}

  @Get('events/:eventId')
  getAnyInstanceEvent(
    @CurrentTenant() tenant: Tenant,
    @Param('eventId') eventId: string,
  ): Promise<EventDetailView> {
    return this.events.get(tenant, null, eventId);
  }

  @Get(':id/events')
  async list(
    @CurrentTenant() tenant: Tenant,
    @Param('id') instanceId: string,
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) response: Response,
  ): Promise<EventView[]> {
    const page = await this.events.list(tenant, instanceId, parse(listEventsQuerySchema, query, 'query'));
    if (page.nextPage) response.setHeader('Elements-Next-Page-Token', page.nextPage);
    return page.events;
  }

  @Put(':id/events/redeliver')
  redeliver(
    @CurrentTenant() tenant: Tenant,
    @Param('id') instanceId: string,
    @Body() body: unknown,
  ): Promise<RedeliverResult> {
    return this.events.redeliver(tenant, instanceId, parse(redeliverBodySchema, body, 'body'));
  }

  @Get(':id/events/:eventId')
  get(
    @CurrentTenant() tenant: Tenant,
    @Param('id') instanceId: string,
    @Param('eventId') eventId: string,
  ): Promise<EventDetailView> {
    return this.events.get(tenant, instanceId, eventId);
  }
}
