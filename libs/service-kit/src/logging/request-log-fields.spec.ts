import { Writable } from 'node:stream';
import pino from 'pino';
import { pinoHttp } from 'pino-http';
import { createServer, type Server } from 'node:http';
import { requestLogFields } from './logger';

describe('requestLogFields', () => {
  it('keeps id, method, URL, peer and user agent, and no other header or parsed query', () => {
    expect(
      requestLogFields({
        id: 'r1',
        method: 'GET',
        url: '/x?apiSecret=********',
        remoteAddress: '127.0.0.1',
        headers: { authorization: 'User a, Organization b', 'x-api-key': 'k', 'user-agent': 'curl/8' },
      }),
    ).toEqual({
      id: 'r1',
      method: 'GET',
      url: '/x?apiSecret=********',
      remoteAddress: '127.0.0.1',
      userAgent: 'curl/8',
    });
  });

  it('cuts a long user agent and leaves out one that is not a string', () => {
    expect(requestLogFields({ headers: { 'user-agent': 'a'.repeat(5000) } })['userAgent']).toHaveLength(200);
    expect(requestLogFields({ headers: { 'user-agent': ['a', 'b'] } })).not.toHaveProperty('userAgent');
    expect(requestLogFields({})).not.toHaveProperty('userAgent');
  });

  it('is what pino-http writes for a request, so no header a client sends reaches the log', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const middleware = pinoHttp({ logger: pino(sink), serializers: { req: requestLogFields } });
    const server: Server = createServer((request, response) => {
      middleware(request, response);
      response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      await fetch(`http://127.0.0.1:${port}/path?q=1`, {
        headers: {
          authorization: 'Bearer secret-token-1',
          'x-custom-secret': 'secret-2',
          'user-agent': 'test-agent',
        },
      });
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    const log = lines.join('');
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      msg: 'request completed',
      req: { method: 'GET', url: '/path?q=1', userAgent: 'test-agent' },
    });
    expect(log).not.toContain('secret-token-1');
    expect(log).not.toContain('secret-2');
    expect(JSON.parse(lines[0] ?? '{}').req).not.toHaveProperty('headers');
  });
});
