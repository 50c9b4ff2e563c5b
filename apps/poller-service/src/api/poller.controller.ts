import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Put,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import { ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentTenant, TenantAuthGuard, type Tenant } from '@pollcast/tenant-auth';
import { PollerApi, type PollRunResponse, type ResourceStateView } from './poller-api.service';

/** Open Connectors' paging header: the token for the next page, absent on the last one. */
const NEXT_PAGE_HEADER = 'Elements-Next-Page-Token';

@ApiTags('poller')
@ApiSecurity('pollcast')
@UseGuards(TenantAuthGuard)
@Controller('elements/api-v2/instances/:id')
export class PollerController {
  constructor(@Inject(PollerApi) private readonly api: PollerApi) {}

  /** Poll runs, newest first; `pageSize` (≤ 200), `nextPage`, `resource`, `status`. */
  @Get('polls')
  async listPolls(
    @CurrentTenant() tenant: Tenant,
    @Param('id') instanceId: string,
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) response: Response,
  ): Promise<PollRunResponse[]> {
    const { polls, nextPage } = await this.api.listPolls(tenant, instanceId, query);
    if (nextPage !== undefined) response.setHeader(NEXT_PAGE_HEADER, nextPage);
    return polls;
  }

  /** Per-resource schedule state: watermark, next due time, failures, the poll in flight. */
  @Get('poller')
  pollerState(@CurrentTenant() tenant: Tenant, @Param('id') instanceId: string) {
    return this.api.pollerState(tenant, instanceId);
  }

  /** Poll now: every resource, or `{ "resource": "contacts" }`. */
  @Post('polls')
  @HttpCode(202)
  pollNow(@CurrentTenant() tenant: Tenant, @Param('id') instanceId: string, @Body() body: unknown) {
    return this.api.pollNow(tenant, instanceId, body);
  }

  /** Moves the watermark (backfill, or skip ahead): `{ "watermark": "2026-01-01T00:00:00Z" }`. */
  @Put('poller/:resource/watermark')
  resetWatermark(
    @CurrentTenant() tenant: Tenant,
    @Param('id') instanceId: string,
    @Param('resource') resource: string,
    @Body() body: unknown,
  ): Promise<ResourceStateView> {
    return this.api.resetWatermark(tenant, instanceId, resource, body);
  }
}
