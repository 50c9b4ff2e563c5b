// The verified-credentials cache: what it remembers must never let a different pair in.
import { useInstanceService } from '../testing/instance-service-harness';

describe('authentication with verified credentials remembered (real Postgres)', () => {
  const harness = useInstanceService();
  const secretsOf = (authorization: string) => {
    const [, user = '', organization = ''] = /^User (\S+), Organization (\S+)$/.exec(authorization) ?? [];
    return { user, organization };
  };
  const list = (authorization: string) => harness.api('GET', '/elements/api-v2/instances', { authorization });

  it('accepts the remembered pair, and refuses any other pairing of the same secrets', async () => {
    const a = secretsOf(harness.tenantA.authorization);
    const b = secretsOf(harness.tenantB.authorization);
    const instance = await harness.createInstance(harness.tenantA);
    // Remember A's pair and A's Element token.
    expect((await list(harness.tenantA.authorization)).status).toBe(200);
    expect((await list(`User ${a.user}, Element ${instance.token ?? ''}`)).status).toBe(200);
    for (const wrong of [
      `User ${a.user}, Organization ${b.organization}`,
      `User ${b.user}, Organization ${a.organization}`,
      `User ${a.organization}, Organization ${a.user}`,
      // The same secret under the other kind of credential.
      `User ${a.user}, Element ${a.organization}`,
      `User ${a.user}, Organization ${instance.token ?? ''}`,
      `User ${b.user}, Element ${instance.token ?? ''}`,
    ]) {
      expect({ wrong, status: (await list(wrong)).status }).toEqual({ wrong, status: 401 });
    }
    expect((await list(harness.tenantA.authorization)).status).toBe(200);
  });
});
