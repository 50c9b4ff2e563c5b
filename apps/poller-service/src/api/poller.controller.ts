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
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiConflictResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiPageResponse, ErrorBodyDto, NEXT_PAGE_HEADER, ZodValidationPipe } from '@pollcast/service-kit';
import { CurrentPrincipal, TenantAuthGuard, type Principal } from '@pollcast/tenant-auth';
import {
  PollerStateDto,
  PollNowBodyDto,
  PollNowResultDto,
  PollRunDto,
  ResourceStateDto,
  WatermarkBodyDto,
} from './poller-api.dtos';
import { ListPolls } from './list-polls.use-case';
import {
  MAX_POLLS_PAGE_SIZE,
  pollNowBodySchema,
  pollsQuerySchema,
  watermarkBodySchema,
  type PollNowBody,
  type PollsQuery,
  type PollRunResponse,
  type ResourceStateView,
  type WatermarkBody,
} from './poller-api.schemas';
import { ReadPollerState } from './read-poller-state.use-case';
import { RequestPoll } from './request-poll.use-case';
import { ResetWatermark } from './reset-watermark.use-case';

// 400, 401, 404, 429 and 503 are declared on every operation by addCommonResponses (service-kit).
@ApiTags('poller')
@ApiSecurity('pollcast')
@ApiParam({ name: 'id', description: 'Instance id (as instance-service answers it)', example: '42' })
@UseGuards(TenantAuthGuard)
@Controller('elements/api-v2/instances/:id')
export class PollerController {
  constructor(
    @Inject(ListPolls) private readonly listPollsUseCase: ListPolls,
    @Inject(ReadPollerState) private readonly readPollerState: ReadPollerState,
    @Inject(RequestPoll) private readonly requestPoll: RequestPoll,
    @Inject(ResetWatermark) private readonly resetWatermarkUseCase: ResetWatermark,
  ) {}

  @Get('polls')
  @ApiOperation({ summary: 'Poll runs of the instance, newest first' })
  @ApiQuery({
    name: 'pageSize',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: MAX_POLLS_PAGE_SIZE, default: 50 },
  })
  @ApiQuery({
    name: 'nextPage',
    required: false,
    description: 'The Elements-Next-Page-Token header of the previous page',
  })
  @ApiQuery({ name: 'resource', required: false, example: 'contacts' })
  @ApiQuery({
    name: 'status',
    required: false,
    enum: ['succeeded', 'failed', 'abandoned', 'superseded'],
  })
  @ApiPageResponse(PollRunDto)
  async listPolls(
    @CurrentPrincipal() principal: Principal,
    @Param('id') instanceId: string,
    @Query(new ZodValidationPipe(pollsQuerySchema)) query: PollsQuery,
    @Res({ passthrough: true }) response: Response,
  ): Promise<PollRunResponse[]> {
    const { polls, nextPage } = await this.listPollsUseCase.execute(principal, instanceId, query);
    if (nextPage !== undefined) response.setHeader(NEXT_PAGE_HEADER, nextPage);
    return polls;
  }

  @Get('poller')
  @ApiOperation({
    summary: 'Per-resource schedule state: watermark, next due time, failures, the poll in flight',
  })
  @ApiOkResponse({ type: PollerStateDto })
  pollerState(@CurrentPrincipal() principal: Principal, @Param('id') instanceId: string) {
    return this.readPollerState.execute(principal, instanceId);
  }

  @Post('polls')
  @HttpCode(202)
  @ApiOperation({ summary: 'Poll now: every resource, or the one named' })
  @ApiBody({ type: PollNowBodyDto, required: false })
  @ApiAcceptedResponse({ type: PollNowResultDto })
  @ApiConflictResponse({
    type: ErrorBodyDto,
    description: 'The instance is not polling (disabled or events off)',
  })
  pollNow(
    @CurrentPrincipal() principal: Principal,
    @Param('id') instanceId: string,
    @Body(new ZodValidationPipe(pollNowBodySchema)) body: PollNowBody,
  ) {
    return this.requestPoll.execute(principal, instanceId, body);
  }

  @Put('poller/:resource/watermark')
  @ApiOperation({ summary: 'Move the watermark: backfill from an earlier time, or skip ahead' })
  @ApiParam({ name: 'resource', example: 'contacts' })
  @ApiBody({ type: WatermarkBodyDto })
  @ApiOkResponse({ type: ResourceStateDto })
  resetWatermark(
    @CurrentPrincipal() principal: Principal,
    @Param('id') instanceId: string,
    @Param('resource') resource: string,
    @Body(new ZodValidationPipe(watermarkBodySchema)) body: WatermarkBody,
  ): Promise<ResourceStateView> {
    return this.resetWatermarkUseCase.execute(principal, instanceId, resource, body);
  }
}
