import { Body, Controller, Get, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import {
  ApiBody,
  ApiConflictResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import {
  accessTokenRequestBodySchema,
  disableEventsBodySchema,
  verifyAuthorizationBodySchema,
  type AccessTokenGrant,
  type AccessTokenRequestBody,
  type DisableEventsBody,
  type VerifyAuthorizationBody,
} from '@pollcast/contracts';
import { DomainError, ZodValidationPipe } from '@pollcast/service-kit';
import {
  AccessTokenBodyDto,
  AccessTokenDto,
  DeliveryDto,
  DisableEventsBodyDto,
  ErrorBodyDto,
  VerifiedPrincipalDto,
  VerifyAuthorizationBodyDto,
} from '../http/api-dtos';
import { DisableEvents } from '../instances/disable-events.use-case';
import { ReadDeliverySettings } from '../instances/read-delivery-settings.use-case';
import { CredentialsInvalidError, IssueAccessToken } from '../oauth/issue-access-token.use-case';
import type { Principal } from '../tenants/principal';
import { Authenticate } from '../tenants/authenticate.use-case';
import { ServiceTokenGuard } from './service-token.guard';

/** Service-to-service API (docs/internal-api.md): tenants, credentials and delivery settings. */
@ApiTags('internal')
@ApiHeader({ name: 'X-Pollcast-Service-Token', required: true })
@ApiUnauthorizedResponse({ type: ErrorBodyDto })
@UseGuards(ServiceTokenGuard)
@Controller('internal')
export class InternalController {
  constructor(
    @Inject(Authenticate) private readonly authenticate: Authenticate,
    @Inject(ReadDeliverySettings) private readonly deliverySettings: ReadDeliverySettings,
    @Inject(DisableEvents) private readonly disableInstanceEvents: DisableEvents,
    @Inject(IssueAccessToken) private readonly issueAccessToken: IssueAccessToken,
  ) {}

  @Post('auth/verify')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Whose credentials an Authorization header carries (poller and dispatcher public APIs)',
  })
  @ApiBody({ type: VerifyAuthorizationBodyDto })
  @ApiOkResponse({ type: VerifiedPrincipalDto })
  verify(
    @Body(new ZodValidationPipe(verifyAuthorizationBodySchema)) body: VerifyAuthorizationBody,
  ): Promise<Principal> {
    return this.authenticate.execute(body.authorization);
  }

  @Post('instances/:id/access-token')
  @HttpCode(200)
  @ApiOperation({
    summary: 'A valid access token, refreshed first when it expires soon (one refresh at a time)',
  })
  @ApiBody({ type: AccessTokenBodyDto, required: false })
  @ApiOkResponse({ type: AccessTokenDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  @ApiConflictResponse({
    type: ErrorBodyDto,
    description:
      'CREDENTIALS_INVALID, with `valid: false` beside the usual fields: the instance needs a new authorization',
  })
  async accessToken(
    @Param('id') id: string,
    @Body(new ZodValidationPipe(accessTokenRequestBodySchema)) parsed: AccessTokenRequestBody,
  ): Promise<AccessTokenGrant> {
    try {
      return await this.issueAccessToken.execute(id, {
        forceRefresh: parsed.forceRefresh,
        ...(parsed.rejectedToken === undefined ? {} : { rejectedToken: parsed.rejectedToken }),
      });
    } catch (error) {
      if (!(error instanceof CredentialsInvalidError)) throw error;
      // The documented 409 carries `valid: false` beside the usual error fields.
      throw new DomainError(error.code, error.message, error.status, error.headers, [], { valid: false });
    }
  }

  @Get('instances/:id/delivery')
  @ApiOperation({ summary: "The dispatcher's view of an instance, the signature key in clear" })
  @ApiOkResponse({ type: DeliveryDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  delivery(@Param('id') id: string): Promise<DeliveryDto> {
    return this.deliverySettings.execute(id);
  }

  @Post('instances/:id/events/disable')
  @HttpCode(204)
  @ApiOperation({ summary: 'Turn events off (callback answered 410 Gone); publishes the new snapshot' })
  @ApiBody({ type: DisableEventsBodyDto, required: false })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  async disableEvents(
    @Param('id') id: string,
    @Body(new ZodValidationPipe(disableEventsBodySchema)) body: DisableEventsBody,
  ): Promise<void> {
    await this.disableInstanceEvents.execute(id, body.reason);
  }
}
