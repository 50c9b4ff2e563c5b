import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { Client } from 'pg';
import pino from 'pino';
import { createTestDatabase, waitFor } from '@pollcast/testing';
import { PostgresNotificationListener, type NotificationListenerOptions } from './notification-listener';

const CHANNEL = 'pollcast_test_changes';

describe('PostgresNotificationListener on the real PostgreSQL', () => {
  let url: string;
  let admin: Client;
  const events: string[] = [];
  let listener: PostgresNotificationListener | undefined;

  beforeAll(async () => {
    url = await createTestDatabase('listen');
    admin = new Client({ connectionString: url });
    await admin.connect();
  });

  afterEach(async () => {
    await listener?.stop();
    events.length = 0;
  });

  afterAll(async () => {
    await admin.end();
  });

  /** A listener that records what it says in `events`. */
  function start(
    applicationName: string,
    options: Partial<
      Pick<NotificationListenerOptions, 'url' | 'heartbeatMs' | 'reconnectMs' | 'maxReconnectMs'>
    > = {},
  ): PostgresNotificationListener {
    listener = new PostgresNotificationListener({
      url,
      channel: CHANNEL,
      applicationName,
      logger: pino({ level: 'silent' }),
      onNotification: (payload) => events.push(`notify ${payload}`),
      onListening: () => events.push('listening'),
      onLost: () => events.push('lost'),
      reconnectMs: 50,
      ...options,
    });
    listener.start();
    return listener;
  }

  const notify = (payload: string) => admin.query('SELECT pg_notify($1, $2)', [CHANNEL, payload]);

  it('delivers what is committed on its channel, and nothing of a rollback or another channel', async () => {
    const running = start('listen-a');
    await waitFor(() => running.isListening, { what: 'LISTEN' });
    await notify('one');
    await admin.query('BEGIN');
    await notify('rolled back');
    await admin.query('ROLLBACK');
    await admin.query("SELECT pg_notify('another_channel', 'x')");
    await notify('two');
    await waitFor(() => events.includes('notify two'), { what: 'the second notification' });
    expect(events).toEqual(['listening', 'notify one', 'notify two']);
  });

  it('says "lost" when its session is killed, listens again on a new one, and stops for good', async () => {
    const running = start('listen-b');
    await waitFor(() => running.isListening, { what: 'LISTEN' });
    const killed = await admin.query<{ killed: boolean }>(
      'SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE application_name = $1',
      ['listen-b'],
    );
    expect(killed.rows).toEqual([{ killed: true }]);
    await waitFor(() => events.filter((event) => event === 'listening').length === 2, {
      what: 'LISTEN on a new session',
    });
    expect(events).toEqual(['listening', 'lost', 'listening']);
    await notify('after');
    await waitFor(() => events.includes('notify after'), { what: 'a notification on the new session' });
    await running.stop();
    expect(running.isListening).toBe(false);
    expect(events.at(-1)).toBe('lost');
    const sessions = await admin.query('SELECT 1 FROM pg_stat_activity WHERE application_name = $1', [
      'listen-b',
    ]);
    expect(sessions.rowCount).toBe(0);
  });

  it('keeps trying while PostgreSQL cannot be reached, and says nothing is heard meanwhile', async () => {
    const unreachable = new URL(url);
    unreachable.port = '1';
    start('listen-c', { url: unreachable.toString(), reconnectMs: 20, maxReconnectMs: 40 });
    await waitFor(() => events.length >= 3, { what: 'three failed attempts' });
    expect(new Set(events)).toEqual(new Set(['lost']));
    expect(listener?.isListening).toBe(false);
  });

  /**
   * A TCP proxy to the test database that can stop forwarding without closing anything (what a dead
   * network path looks like) and can leave out the server's notifications (what a pooler in transaction
   * mode does: LISTEN is accepted, and nothing arrives).
   */
  async function pgProxy(options: { dropNotifications: boolean }) {
    const target = new URL(url);
    const sockets: Socket[] = [];
    const silenced = new Set<Socket>();
    // Half-open allowed: a silenced connection answers a client's FIN with nothing, like a dead peer.
    const server: Server = createServer({ allowHalfOpen: true }, (client) => {
      const upstream = connect(Number(target.port), target.hostname);
      sockets.push(client, upstream);
      client.on('end', () => silenced.has(client) || upstream.end());
      let pending = Buffer.alloc(0);
      client.on('data', (chunk: Buffer) => silenced.has(client) || upstream.write(chunk));
      upstream.on('data', (chunk: Buffer) => {
        if (silenced.has(upstream)) return;
        if (!options.dropNotifications) return void client.write(chunk);
        // Server messages are a type byte and an int32 length; 'A' is NotificationResponse.
        pending = Buffer.concat([pending, chunk]);
        while (pending.length >= 5 && pending.length >= 1 + pending.readInt32BE(1)) {
          const size = 1 + pending.readInt32BE(1);
          if (pending[0] !== 0x41) client.write(pending.subarray(0, size));
          pending = pending.subarray(size);
        }
      });
      const close = () => [client, upstream].forEach((socket) => socket.destroy());
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const viaProxy = new URL(url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String((server.address() as AddressInfo).port);
    return {
      url: viaProxy.toString(),
      /** Every connection made so far goes silent; new ones work. */
      silenceAll: () => sockets.forEach((socket) => silenced.add(socket)),
      close: async () => {
        sockets.forEach((socket) => socket.destroy());
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  }

  it('notices a session whose connection goes silent (heartbeat) and starts another', async () => {
    const proxy = await pgProxy({ dropNotifications: false });
    try {
      const running = start('listen-d', { url: proxy.url, heartbeatMs: 200, maxReconnectMs: 100 });
      await waitFor(() => running.isListening, { what: 'LISTEN' });
      proxy.silenceAll();
      await waitFor(() => events.includes('lost'), { what: 'the heartbeat to give up' });
      await waitFor(() => running.isListening, { what: 'LISTEN on a new session' });
      expect(events).toEqual(['listening', 'lost', 'listening']);
      await notify('through the new session');
      await waitFor(() => events.includes('notify through the new session'), { what: 'a notification' });
    } finally {
      await listener?.stop();
      await proxy.close();
    }
  });

  it('stops promptly even when its connection has gone silent (shutdown must not wait for TCP)', async () => {
    const proxy = await pgProxy({ dropNotifications: false });
    try {
      const running = start('listen-g', { url: proxy.url, heartbeatMs: 60_000 });
      await waitFor(() => running.isListening, { what: 'LISTEN' });
      proxy.silenceAll();
      await running.stop();
      expect(running.isListening).toBe(false);
    } finally {
      await proxy.close();
    }
  });

  it('never says it listens when its notifications do not come back (a LISTEN that holds nowhere)', async () => {
    const proxy = await pgProxy({ dropNotifications: true });
    try {
      const running = start('listen-e', { url: proxy.url, heartbeatMs: 200, maxReconnectMs: 100 });
      await waitFor(() => events.filter((event) => event === 'lost').length >= 3, {
        what: 'three sessions given up',
      });
      expect(new Set(events)).toEqual(new Set(['lost']));
      expect(running.isListening).toBe(false);
    } finally {
      await listener?.stop();
      await proxy.close();
    }
  });

  it("hands on other sessions' payloads but never the probes, its own or theirs", async () => {
    const running = start('listen-f', { heartbeatMs: 100 });
    await waitFor(() => running.isListening, { what: 'LISTEN' });
    await notify('pollcast-listener-probe:from-another-replica');
    await notify('real');
    await waitFor(() => events.includes('notify real'), { what: 'the real notification' });
    // A few heartbeats' probes went round meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(events).toEqual(['listening', 'notify real']);
  });
});
