import { z } from 'zod';

/*
 * Answers of instance-service's internal API (docs/internal-api.md): the server answers these shapes,
 * @pollcast/instance-client validates them on arrival.
 */

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
