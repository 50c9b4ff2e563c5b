import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DomainError } from '@pollcast/service-kit';
import { TenantVerifier } from './tenant-verifier';

/** A stand-in for instance-service's POST /internal/auth/verify. */
function fakeInstanceService(): Promise<{
  server: Server;
  url: string;
  calls: { token?: string; authorization?: string }[];
}> {
  const calls: { token?: string; authorization?: string }[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const { authorization } = JSON.parse(body) as { authorization: string };
      calls.push({ token: request.headers['x-pollcast-service-token'] as string | undefined, authorization });
      response.setHeader('content-type', 'application/json');
      if (authorization === 'User u1, Organization o1') {
        response.end(JSON.stringify({ organizationId: 'org-1', userId: 'user-1', instanceId: null }));
      } else if (authorization === 'User u1, Element tok') {
        response.end(JSON.stringify({ organizationId: 'org-1', userId: 'user-1', instanceId: '42' }));
      } else if (authorization === 'User unreadable') {
        response.statusCode = 400;
        response.end(JSON.stringify({ message: 'Invalid request body' }));
      } else {
        response.statusCode = 401;
        response.end(JSON.stringify({ message: 'Invalid user or organization secret' }));
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls }),
    ),
  );
}

describe('TenantVerifier', () => {
  it('resolves organization and instance-token callers, caches positive answers, and sends the service token', async () => {
    const fake = await fakeInstanceService();
    try {
      const verifier = new TenantVerifier({
        instanceServiceUrl: fake.url,
        serviceToken: 'svc-token-0123456789',
      });
      await expect(verifier.verify('User u1, Organization o1')).resolves.toEqual({
        organizationId: 'org-1',
        userId: 'user-1',
        instanceId: null,
      });
      await verifier.verify('User u1, Organization o1');
      expect(fake.calls).toHaveLength(1);
      expect(fake.calls[0]?.token).toBe('svc-token-0123456789');
      await expect(verifier.verify('User u1, Element tok')).resolves.toMatchObject({ instanceId: '42' });
    } finally {
      fake.server.close();
    }
  });

  it('answers 401 with the upstream message for wrong credentials and never caches them', async () => {
    const fake = await fakeInstanceService();
    try {
      const verifier = new TenantVerifier({
        instanceServiceUrl: fake.url,
        serviceToken: 'svc-token-0123456789',
      });
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const error = await verifier.verify('User bad, Organization bad').catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DomainError);
        expect((error as DomainError).status).toBe(401);
        expect((error as DomainError).message).toBe('Invalid user or organization secret');
      }
      expect(fake.calls).toHaveLength(2);
      // A header instance-service cannot read is still the caller's problem, not an outage.
      const unreadable = (await verifier.verify('User unreadable').catch((e: unknown) => e)) as DomainError;
      expect(unreadable.status).toBe(401);
      const missing = await verifier.verify(undefined).catch((e: unknown) => e);
      expect((missing as DomainError).message).toMatch(
        /Missing Authorization header; expected Authorization: User/,
      );
    } finally {
      fake.server.close();
    }
  });

  it('refuses an Authorization header over 4096 characters with 401, before any cache or call', async () => {
    const fake = await fakeInstanceService();
    try {
      const verifier = new TenantVerifier({ instanceServiceUrl: fake.url, serviceToken: 'x'.repeat(16) });
      const error = (await verifier
        .verify(`User ${'u'.repeat(4096)}, Organization o`)
        .catch((e: unknown) => e)) as DomainError;
      expect(error.status).toBe(401);
      expect(error.message).toMatch(/Authorization header is too long/);
      expect(fake.calls).toHaveLength(0);
      expect(verifier.cachedAnswers).toBe(0);
    } finally {
      fake.server.close();
    }
  });

  it('keeps at most cacheSize answers (least recently used goes first)', async () => {
    const fake = await fakeInstanceService();
    try {
      const verifier = new TenantVerifier({
        instanceServiceUrl: fake.url,
        serviceToken: 'x'.repeat(16),
        cacheSize: 1,
      });
      await verifier.verify('User u1, Organization o1');
      await verifier.verify('User u1, Element tok');
      expect(verifier.cachedAnswers).toBe(1);
      await verifier.verify('User u1, Organization o1');
      expect(fake.calls).toHaveLength(3);
    } finally {
      fake.server.close();
    }
  });

  it('answers 503 with Retry-After when instance-service is unreachable', async () => {
    const verifier = new TenantVerifier({
      instanceServiceUrl: 'http://127.0.0.1:9',
      serviceToken: 'x'.repeat(16),
    });
    const error = (await verifier.verify('User a, Organization b').catch((e: unknown) => e)) as DomainError;
    expect(error.status).toBe(503);
    expect(error.headers['retry-after']).toBe('5');
  });
});
