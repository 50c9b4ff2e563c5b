// Classes that only describe request and response bodies for the OpenAPI document. Bodies are
// validated by @pollcast/config-schema (instances) or zod (internal), not by these classes.
import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';

// The error model is shared by every service.
export { ErrorBodyDto, ErrorItemDto } from '@pollcast/service-kit';

export class ElementKeyDto {
  @ApiProperty({ minLength: 1, example: 'maximizer' }) key!: string;
}

export class ElementReferenceDto {
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: "When given, the instance's own element (it cannot change)",
    example: 'maximizer',
  })
  key?: string | null;
}

export class ProviderDataDto {
  @ApiProperty({ description: 'OAuth grant code the provider sent to the callback URL', example: 'Zb3…' })
  code!: string;
}

export class ProviderDataUpdateDto {
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'A new grant code; absent, null or empty keeps the stored authorization',
    example: 'Zb3…',
  })
  code?: string | null;
}

const CONFIGURATION_DOC: ApiPropertyOptions = {
  type: 'object',
  additionalProperties: true,
  description:
    'Open Connectors configuration keys: oauth.api.key, oauth.api.secret, oauth.callback.url, ' +
    'event.notification.enabled, event.notification.callback.url, event.notification.signature.key, ' +
    'event.poller.refresh_interval, event.poller.configuration (object or JSON string), event.poller.urls, ' +
    'element keys such as maximizer.url, maximizer.alias, maximizer.datacenter. PATCH merges (null removes a key).',
  example: {
    'oauth.callback.url': 'https://mycoolapp.com',
    'oauth.api.key': 'Rand0MAP1-key',
    'oauth.api.secret': 'fak3AP1-s3Cr3t',
    'event.notification.enabled': true,
    'event.notification.callback.url': 'https://mycoolapp.com/events',
    'event.poller.refresh_interval': '15',
    'event.poller.configuration': { contacts: {}, companies: {} },
  },
  nullable: true,
};

const TAGS_DOC: ApiPropertyOptions = {
  type: 'array',
  items: { type: 'string', maxLength: 255 },
  maxItems: 100,
  nullable: true,
  example: ['Docs'],
};

// config-schema takes a boolean or the words true / false in any case, blanks around them ignored;
// blank is the same as absent.
// nullable inside a branch: beside anyOf it would make Nest add `type: object`.
const FLAG_DOC: ApiPropertyOptions = {
  anyOf: [
    { type: 'boolean', nullable: true },
    { type: 'string', pattern: '^[\\s\\uFEFF]*(([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])[\\s\\uFEFF]*)?$' },
  ],
  description: 'true stops polling and delivery',
  example: false,
};

/** The fields create, PUT and PATCH bodies share; null or absent keeps the stored value on updates. */
abstract class InstanceBodyFieldsDto {
  @ApiPropertyOptional(CONFIGURATION_DOC)
  configuration?: Record<string, unknown> | null;
  @ApiPropertyOptional(TAGS_DOC) tags?: string[] | null;
  @ApiPropertyOptional({ type: String, nullable: true, example: 'API Instance with Polling' })
  name?: string | null;
  @ApiPropertyOptional(FLAG_DOC) disabled?: boolean | string | null;
}

/** `POST /instances`: the element and a grant code are required. Unknown top-level keys are ignored
 * (clients send back what GET returned). */
export class InstanceCreateBodyDto extends InstanceBodyFieldsDto {
  @ApiProperty({ type: ElementKeyDto, description: 'The element to connect; cannot change afterwards' })
  element!: ElementKeyDto;
  @ApiProperty({ type: ProviderDataDto, description: 'The grant code, exchanged for tokens at once' })
  providerData!: ProviderDataDto;
}

/** `PUT` (configuration replaced whole when given) and `PATCH` (merged) `/instances/{id}`: every field
 * optional; null or absent keeps the stored value. */
export class InstanceUpdateBodyDto extends InstanceBodyFieldsDto {
  @ApiPropertyOptional({ type: ElementReferenceDto, nullable: true, description: 'Cannot change' })
  element?: ElementReferenceDto | null;
  @ApiPropertyOptional({
    type: ProviderDataUpdateDto,
    nullable: true,
    description: 'A new grant code: re-authorizes (needed when maximizer.url changes)',
  })
  providerData?: ProviderDataUpdateDto | null;
}

export class ElementSummaryDto {
  @ApiProperty({ description: 'Numeric like Open Connectors; the catalog position' }) id!: number;
  @ApiProperty({ example: 'maximizer' }) key!: string;
  @ApiProperty({ example: 'Maximizer' }) name!: string;
  @ApiProperty({ example: 'crm' }) hub!: string;
}

export class UserSummaryDto {
  @ApiProperty() id!: number;
  @ApiProperty() emailAddress!: string;
}

export class InstanceDto {
  @ApiProperty({ description: 'Numeric, as in Open Connectors', example: 42 }) id!: number;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'Instance token: `Authorization: User <secret>, Element <token>`' })
  token!: string;
  @ApiProperty({ format: 'date-time' }) createdDate!: string;
  @ApiProperty({ format: 'date-time' }) updatedDate!: string;
  @ApiProperty({ type: ElementSummaryDto }) element!: ElementSummaryDto;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'As configured, element defaults filled in; secrets shown as ********',
  })
  configuration!: Record<string, unknown>;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty() eventsEnabled!: boolean;
  @ApiProperty({
    description:
      'false after the provider refused a token refresh (re-authorize with PUT/PATCH providerData.code)',
  })
  valid!: boolean;
  @ApiProperty() disabled!: boolean;
  @ApiProperty({ type: UserSummaryDto }) user!: UserSummaryDto;
  @ApiProperty({ description: 'Increases with every change; the same as in the Kafka snapshot' })
  version!: number;
}

/** A configuration value as the API answers and takes it. */
const PROPERTY_VALUE_SCHEMA = {
  // nullable inside a branch: on the property itself it would make Nest keep `type: object` beside anyOf.
  anyOf: [
    { type: 'string', nullable: true },
    { type: 'boolean' },
    { type: 'number' },
    { type: 'object', additionalProperties: true },
  ],
  example: 'true',
};

export class ConfigurationEntryDto {
  @ApiProperty({ description: 'Stable numeric id derived from the key' }) id!: number;
  @ApiProperty({ example: 'event.notification.enabled' }) key!: string;
  @ApiProperty() name!: string;
  @ApiProperty({
    description:
      'As configured: mostly strings and booleans, numbers where given as numbers (event.poller.refresh_interval), ' +
      'event.poller.configuration as an object or JSON text; secrets shown as ********; null after a removal',
    ...PROPERTY_VALUE_SCHEMA,
  })
  propertyValue!: string | boolean | number | Record<string, unknown> | null;
}

export class PropertyValueBodyDto {
  @ApiProperty({
    description: 'The new value; null removes the key',
    ...PROPERTY_VALUE_SCHEMA,
  })
  propertyValue!: string | boolean | number | Record<string, unknown> | null;
}

export class ConfigKeyDto {
  @ApiProperty() key!: string;
  @ApiProperty() description!: string;
  @ApiProperty() secret!: boolean;
  @ApiProperty() required!: boolean;
  @ApiPropertyOptional() defaultValue?: string;
}

export class ResourceDto {
  @ApiProperty({ example: 'contacts' }) name!: string;
  @ApiProperty() description!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Default per-resource poller configuration',
  })
  defaultPollerConfig!: Record<string, unknown>;
}

export class ElementDto extends ElementSummaryDto {
  @ApiProperty({ example: { type: 'oauth2' } }) authentication!: { type: string };
  @ApiProperty({ type: [ConfigKeyDto] }) configuration!: ConfigKeyDto[];
  @ApiProperty({ type: [ResourceDto] }) resources!: ResourceDto[];
  @ApiProperty({ example: 15 }) defaultRefreshIntervalMinutes!: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Default `event.poller.configuration` (every resource)',
  })
  defaultPollerConfiguration!: Record<string, unknown>;
}

export class OAuthUrlDto {
  @ApiProperty({ description: 'Send the user here to grant access' }) oauthUrl!: string;
  @ApiProperty({ example: 'maximizer' }) element!: string;
}

export class VerifyAuthorizationBodyDto {
  @ApiProperty({ example: 'User <secret>, Organization <secret>' }) authorization!: string;
}

export class VerifiedPrincipalDto {
  @ApiProperty() organizationId!: string;
  @ApiProperty() userId!: string;
  @ApiProperty({ type: String, nullable: true }) instanceId!: string | null;
}

export class AccessTokenBodyDto {
  @ApiPropertyOptional({ default: false }) forceRefresh?: boolean;
  @ApiPropertyOptional({ description: 'The token the provider just answered 401 to' }) rejectedToken?: string;
}

export class AccessTokenDto {
  @ApiProperty() accessToken!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
}

export class DeliveryDto {
  @ApiProperty() instanceId!: string;
  @ApiProperty() organizationId!: string;
  @ApiProperty() elementKey!: string;
  @ApiProperty({ description: 'event.notification.enabled and the instance not disabled' })
  eventsEnabled!: boolean;
  @ApiProperty({ type: String, nullable: true }) callbackUrl!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'In clear: only here' }) signatureKey!:
    string | null;
}

export class DisableEventsBodyDto {
  @ApiProperty({ example: 'callback answered 410 Gone' }) reason!: string;
}
