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
import { DomainError, ZodValidationPipe } from '@pollcast/service-kit';
import { z } from 'zod';
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
import {
  AccessTokensService,
  CredentialsInvalidError,
  type AccessTokenGrant,
} from '../oauth/access-tokens.service';
import type { Principal } from '../tenants/principal';
import { TenantsService } from '../tenants/tenants.service';
import { ServiceTokenGuard } from './service-token.guard';

const verifyBody = z.object({ authorization: z.string().max(4096) });
const accessTokenBody = z
  .object({ forceRefresh: z.boolean().default(false), rejectedToken: z.string().min(1).max(8192).optional() })
  .default({ forceRefresh: false });
const disableBody = z.object({ reason: z.string().max(2000).default('') }).default({ reason: '' });

/** Service-to-service API (docs/internal-api.md): tenants, credentials and delivery settings. */
@ApiTags('internal')
@ApiHeader({ name: 'X-Pollcast-Service-Token', required: true })
@ApiUnauthorizedResponse({ type: ErrorBodyDto })
@UseGuards(ServiceTokenGuard)
@Controller('internal')
export class InternalController {
  constructor(
    @Inject(TenantsService) private readonly tenants: TenantsService,
    @Inject(ReadDeliverySettings) private readonly deliverySettings: ReadDeliverySettings,
    @Inject(DisableEvents) private readonly disableInstanceEvents: DisableEvents,
    @Inject(AccessTokensService) private readonly accessTokens: AccessTokensService,
  ) {}

  @Post('auth/verify')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Whose credentials an Authorization header carries (poller and dispatcher public APIs)',
  })
  @ApiBody({ type: VerifyAuthorizationBodyDto })
  @ApiOkResponse({ type: VerifiedPrincipalDto })
  verify(@Body(new ZodValidationPipe(verifyBody)) body: z.output<typeof verifyBody>): Promise<Principal> {
    return this.tenants.authenticate(body.authorization);
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
    @Body(new ZodValidationPipe(accessTokenBody)) parsed: z.output<typeof accessTokenBody>,
  ): Promise<AccessTokenGrant> {
    try {
      return await this.accessTokens.accessToken(id, {
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
    @Body(new ZodValidationPipe(disableBody)) body: z.output<typeof disableBody>,
  ): Promise<void> {
    await this.disableInstanceEvents.execute(id, body.reason);
  }
}
