import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Res,
  UseGuards,
  applyDecorators,
} from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiGatewayTimeoutResponse,
  ApiServiceUnavailableResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiSecurity,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { pageSizeSchema, validateInput } from '@pollcast/service-kit';
import { z } from 'zod';
import { API_BASE } from '../http/api-base';
import {
  ConfigurationEntryDto,
  ErrorBodyDto,
  InstanceCreateBodyDto,
  InstanceUpdateBodyDto,
  InstanceDto,
  PropertyValueBodyDto,
} from '../http/api-dtos';
import type { Principal } from '../tenants/principal';
import {
  AllowElementToken,
  CurrentPrincipal,
  LocalCredentialsGuard,
} from '../tenants/local-credentials.guard';
import type { ConfigurationEntry, InstanceResponse } from './instance-mapper';
import { CreateInstance } from './create-instance.use-case';
import { DeleteInstance } from './delete-instance.use-case';
import { ListInstances, MAX_PAGE_SIZE } from './list-instances.use-case';
import { ReadConfiguration } from './read-configuration.use-case';
import { ReadInstance } from './read-instance.use-case';
import { SetInstanceEnabled } from './set-instance-enabled.use-case';
import { UpdateConfigurationEntry } from './update-configuration-entry.use-case';
import { UpdateInstance } from './update-instance.use-case';

// ListInstances clamps to its bounds; here a size outside them is a 400, as on every other API.
const MAX_INSTANCES_PAGE_SIZE = MAX_PAGE_SIZE;
const DEFAULT_INSTANCES_PAGE_SIZE = 200;
const pageSizeQuery = z.object({
  pageSize: pageSizeSchema(MAX_INSTANCES_PAGE_SIZE, DEFAULT_INSTANCES_PAGE_SIZE),
});

/** The answers of a request that exchanges providerData.code with the provider. */
const ProviderResponses = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
    ApiBadGatewayResponse({
      type: ErrorBodyDto,
      description: 'The provider answered the code exchange with an error',
    }),
    ApiServiceUnavailableResponse({
      type: ErrorBodyDto,
      description: 'The provider is unavailable; see Retry-After when it said',
      headers: { 'Retry-After': { description: 'Seconds', schema: { type: 'integer' } } },
    }),
    ApiGatewayTimeoutResponse({ type: ErrorBodyDto, description: 'The provider did not answer in time' }),
  );

/** PUT and PATCH of an instance (element tokens allowed): an update body, the instance back, or why not. */
const InstanceUpdateRoute = (summary: string): MethodDecorator & ClassDecorator =>
  applyDecorators(
    AllowElementToken(),
    ApiOperation({ summary }),
    ApiBody({ type: InstanceUpdateBodyDto }),
    ApiOkResponse({ type: InstanceDto }),
    ApiBadRequestResponse({ type: ErrorBodyDto }),
    ApiNotFoundResponse({ type: ErrorBodyDto }),
    ApiConflictResponse({
      type: ErrorBodyDto,
      description: 'The instance changed while its providerData.code was exchanged; retry with a new code',
    }),
    ProviderResponses(),
  );

/** Query values arrive as a string, a list (`tags[]=a&tags[]=b`) or not at all. */
function queryStrings(...values: unknown[]): string[] {
  return values
    .flatMap((value) => (Array.isArray(value) ? (value as unknown[]) : [value]))
    .filter((value): value is string => typeof value === 'string' && value.trim() !== '')
    .map((value) => value.trim());
}

@ApiTags('instances')
@ApiSecurity('pollcast')
@ApiUnauthorizedResponse({ type: ErrorBodyDto, description: 'Missing or wrong Authorization' })
@ApiTooManyRequestsResponse({
  type: ErrorBodyDto,
  description: 'Rate limit of the organization; see Retry-After',
})
@UseGuards(LocalCredentialsGuard)
@Controller(`${API_BASE}/instances`)
export class InstancesController {
  constructor(
    @Inject(CreateInstance) private readonly createInstance: CreateInstance,
    @Inject(ListInstances) private readonly listInstances: ListInstances,
    @Inject(ReadInstance) private readonly readInstance: ReadInstance,
    @Inject(UpdateInstance) private readonly updateInstance: UpdateInstance,
    @Inject(DeleteInstance) private readonly deleteInstance: DeleteInstance,
    @Inject(ReadConfiguration) private readonly readConfiguration: ReadConfiguration,
    @Inject(UpdateConfigurationEntry) private readonly updateConfigurationEntry: UpdateConfigurationEntry,
    @Inject(SetInstanceEnabled) private readonly setInstanceEnabled: SetInstanceEnabled,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Create an instance: exchanges providerData.code, stores the tokens, starts polling when events are enabled',
  })
  @ApiBody({ type: InstanceCreateBodyDto })
  @ApiOkResponse({ type: InstanceDto })
  @ApiBadRequestResponse({ type: ErrorBodyDto })
  @ApiForbiddenResponse({ type: ErrorBodyDto, description: 'An Element token cannot create instances' })
  @ProviderResponses()
  create(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<InstanceResponse> {
    return this.createInstance.execute(principal, body);
  }

  @Get()
  @ApiOperation({ summary: "List the organization's instances; with an Element token, only that instance" })
  @ApiQuery({
    name: 'tags[]',
    required: false,
    type: [String],
    description: 'Instances carrying any of these tags',
  })
  @ApiQuery({
    name: 'pageSize',
    required: false,
    schema: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_INSTANCES_PAGE_SIZE,
      default: DEFAULT_INSTANCES_PAGE_SIZE,
    },
  })
  @ApiQuery({
    name: 'nextPage',
    required: false,
    description: 'The Elements-Next-Page-Token of the previous page',
  })
  @ApiOkResponse({ type: [InstanceDto] })
  @AllowElementToken()
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) response: Response,
  ): Promise<InstanceResponse[]> {
    const { pageSize } = validateInput(pageSizeQuery, { pageSize: query['pageSize'] }, 'query');
    const nextPage = queryStrings(query['nextPage'])[0];
    const page = await this.listInstances.execute(principal, {
      tags: queryStrings(query['tags[]'], query['tags']),
      pageSize,
      ...(nextPage === undefined ? {} : { nextPage }),
    });
    if (page.nextPage !== undefined) response.setHeader('Elements-Next-Page-Token', page.nextPage);
    return page.instances;
  }

  @Get(':id')
  @AllowElementToken()
  @ApiOperation({ summary: 'One instance (404 also for instances of other organizations)' })
  @ApiOkResponse({ type: InstanceDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<InstanceResponse> {
    return this.readInstance.execute(principal, id);
  }

  @Put(':id')
  @InstanceUpdateRoute(
    'Replace an instance (configuration replaced whole when given; ******** keeps a stored secret)',
  )
  replace(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() body: unknown,
  ): Promise<InstanceResponse> {
    return this.updateInstance.execute(principal, id, 'replace', body);
  }

  @Patch(':id')
  @InstanceUpdateRoute('Update an instance (configuration keys merged; null removes one)')
  patch(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() body: unknown,
  ): Promise<InstanceResponse> {
    return this.updateInstance.execute(principal, id, 'patch', body);
  }

  @Delete(':id')
  @AllowElementToken()
  @ApiOperation({ summary: 'Delete an instance: polling and delivery stop, a tombstone is published' })
  @ApiOkResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  async delete(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<void> {
    await this.deleteInstance.execute(principal, id);
  }

  @Get(':id/configuration')
  @AllowElementToken()
  @ApiOperation({ summary: "The instance's configuration entries (secrets masked)" })
  @ApiOkResponse({ type: [ConfigurationEntryDto] })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  configuration(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<ConfigurationEntry[]> {
    return this.readConfiguration.execute(principal, id);
  }

  @Patch(':id/configuration/:configId')
  @AllowElementToken()
  @ApiOperation({ summary: 'Change one configuration entry; configId is the entry id or the key itself' })
  @ApiBody({ type: PropertyValueBodyDto })
  @ApiOkResponse({ type: ConfigurationEntryDto })
  @ApiBadRequestResponse({ type: ErrorBodyDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  patchConfiguration(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Param('configId') configId: string,
    @Body() body: unknown,
  ): Promise<ConfigurationEntry> {
    return this.updateConfigurationEntry.execute(principal, id, configId, body);
  }

  @Put(':id/enabled')
  @AllowElementToken()
  @ApiOperation({ summary: 'Enable the instance (polling and delivery resume)' })
  @ApiOkResponse({ type: InstanceDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  enable(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<InstanceResponse> {
    return this.setInstanceEnabled.execute(principal, id, true);
  }

  @Delete(':id/enabled')
  @AllowElementToken()
  @ApiOperation({ summary: 'Disable the instance (polling and delivery stop)' })
  @ApiOkResponse({ type: InstanceDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  disable(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<InstanceResponse> {
    return this.setInstanceEnabled.execute(principal, id, false);
  }
}
