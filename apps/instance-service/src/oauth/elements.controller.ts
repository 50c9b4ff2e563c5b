import { Controller, Get, HttpStatus, Inject, Param, Query, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { DomainError, ErrorCode } from '@pollcast/service-kit';
import { API_BASE } from '../http/api-base';
import { ElementDto, ErrorBodyDto, OAuthUrlDto } from '../http/api-dtos';
import { LocalCredentialsGuard } from '../tenants/local-credentials.guard';
import { BuildOAuthUrl } from './build-oauth-url.use-case';
import { describeElement, describeElements, type ElementDescription } from './element-description';

@ApiTags('elements')
@ApiSecurity('pollcast')
@ApiUnauthorizedResponse({ type: ErrorBodyDto })
@ApiForbiddenResponse({ type: ErrorBodyDto, description: 'An Element token cannot read the catalog' })
@UseGuards(LocalCredentialsGuard)
@Controller(`${API_BASE}/elements`)
export class ElementsController {
  constructor(@Inject(BuildOAuthUrl) private readonly buildOAuthUrl: BuildOAuthUrl) {}

  @Get()
  @ApiOperation({ summary: 'The element catalog' })
  @ApiOkResponse({ type: [ElementDto] })
  list(): ElementDescription[] {
    // The catalog is static data in @pollcast/elements: described by pure functions, no use case needed.
    return describeElements();
  }

  @Get(':key')
  @ApiOperation({
    summary: 'One element: configuration keys, resources and the default poller configuration',
  })
  @ApiOkResponse({ type: ElementDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  get(@Param('key') key: string): ElementDescription {
    const element = describeElement(key);
    if (element === undefined)
      throw new DomainError(ErrorCode.NOT_FOUND, `No element '${key.slice(0, 100)}'`, HttpStatus.NOT_FOUND);
    return element;
  }

  @Get(':key/oauth/url')
  @ApiOperation({
    summary: "The provider's authorize URL; the user returns to callbackUrl with code and state",
    description:
      'Element configuration keys may be passed as query parameters too (e.g. maximizer.alias, maximizer.url, ' +
      'maximizer.datacenter); siteAddress is the provider base URL. apiSecret is accepted for compatibility and not used.',
  })
  @ApiQuery({ name: 'apiKey', required: true })
  @ApiQuery({ name: 'apiSecret', required: false })
  @ApiQuery({ name: 'callbackUrl', required: true })
  @ApiQuery({ name: 'state', required: false })
  @ApiQuery({ name: 'siteAddress', required: false })
  @ApiOkResponse({ type: OAuthUrlDto })
  @ApiBadRequestResponse({ type: ErrorBodyDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  oauthUrl(
    @Param('key') key: string,
    @Query() query: Record<string, unknown>,
  ): { oauthUrl: string; element: string } {
    return this.buildOAuthUrl.execute(key, query);
  }
}
