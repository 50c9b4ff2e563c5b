import { z } from 'zod';

/*
 * Bodies and answers of instance-service's internal API (docs/internal-api.md): the server validates
 * the bodies with these schemas and answers these shapes; @pollcast/instance-client sends the bodies and
 * validates the answers on arrival. One definition for both sides.
 */

/** POST /internal/auth/verify body: the public request's `Authorization` header, as received. */
export const verifyAuthorizationBodySchema = z.object({ authorization: z.string().max(4096) });
export type VerifyAuthorizationBody = z.output<typeof verifyAuthorizationBodySchema>;

/** POST /internal/instances/{id}/access-token body (optional): `rejectedToken` is the token the provider
 * just answered 401 to (refresh unless the stored one already differs). */
export const accessTokenRequestBodySchema = z
  .object({ forceRefresh: z.boolean().default(false), rejectedToken: z.string().min(1).max(8192).optional() })
  .default({ forceRefresh: false });
export type AccessTokenRequestBody = z.output<typeof accessTokenRequestBodySchema>;

/** POST /internal/instances/{id}/events/disable body (optional): why, for the instance's record. */
export const disableEventsBodySchema = z
  .object({ reason: z.string().max(2000).default('') })
  .default({ reason: '' });
export type DisableEventsBody = z.output<typeof disableEventsBodySchema>;

/** POST /internal/auth/verify → who is calling: always a user of an organization; `instanceId` set when
 * an Element token was used (that caller may only touch that instance). */
export const principalSchema = z
  .object({
    organizationId: z.string().min(1),
    userId: z.string().min(1),
    instanceId: z.string().min(1).nullable().optional(),
  })
  .transform(({ organizationId, userId, instanceId }) => ({
    organizationId,
    userId,
    instanceId: instanceId ?? null,
  }));
/** The authenticated tenant of a public API request (one name in every service). */
export type Principal = z.output<typeof principalSchema>;

/** POST /internal/instances/{id}/access-token → a provider access token valid for at least 60 s. */
export const accessTokenGrantSchema = z.object({
  accessToken: z.string().min(1),
  expiresAt: z.iso.datetime({ offset: true }),
});
export type AccessTokenGrant = z.infer<typeof accessTokenGrantSchema>;

/** GET /internal/instances/{id}/delivery → what the dispatcher needs to deliver an instance's events. */
export const deliveryInfoSchema = z.object({
  instanceId: z.string().min(1),
  organizationId: z.string().min(1),
  elementKey: z.string().min(1),
  eventsEnabled: z.boolean(),
  callbackUrl: z.string().nullable(),
  signatureKey: z.string().nullable(),
});
export type DeliveryInfo = z.infer<typeof deliveryInfoSchema>;
