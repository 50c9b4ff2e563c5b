import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { Logger } from 'pino';

export interface NotificationListenerOptions {
  url: string;
  /** The channel to LISTEN on (a constant of the caller's, not input). */
  channel: string;
  applicationName: string;
  logger: Logger;
  /** Every payload on the channel except the listener's own probes. */
  onNotification(payload: string): void;
  /** Notifications are known to arrive (again): whatever came before is unknown. */
  onListening(): void;
  /** The session is gone or its notifications do not come back: some may be missed until `onListening`. */
  onLost(): void;
  /** How often a probe goes round, and how long it may take (default 5 s). */
  heartbeatMs?: number;
  /** Delay before reconnecting, doubled up to `maxReconnectMs` (defaults 500 ms and 10 s). */
  reconnectMs?: number;
  maxReconnectMs?: number;
}

/** Payloads the listener sends itself; never handed to `onNotification`. */
const PROBE_PREFIX = 'pollcast-listener-probe:';

/**
 * One PostgreSQL session that LISTENs on a channel, outside the pool (a pooled connection would be
 * handed to queries). It says it listens only once a notification it sent itself through PostgreSQL has
 * come back, and it sends one every heartbeat: a session that died without a word (a half-open socket
 * looks like a quiet channel for as long as TCP keepalive takes) or a LISTEN that holds nowhere (a pooler
 * in transaction mode accepts it and delivers nothing) counts as lost. It reconnects on its own; between
 * `onLost` and the next `onListening` the caller must assume it missed notifications.
 */
export class PostgresNotificationListener {
  private client: Client | undefined;
  private listening = false;
  private stopped = true;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private pendingProbe: { payload: string; arrived: () => void } | undefined;

  constructor(private readonly options: NotificationListenerOptions) {}

  get isListening(): boolean {
    return this.listening;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.heartbeatTimer);
    const client = this.client;
    this.client = undefined;
    this.markLost();
    if (client === undefined) return;
    // Bounded: on a half-open socket `end` waits for TCP to give up, and shutdown must not.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      client.end().catch(() => undefined),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, 1000))),
    ]);
    clearTimeout(timer);
  }

  private get heartbeatMs(): number {
    return this.options.heartbeatMs ?? 5000;
  }

  private async connect(): Promise<void> {
    const client = new Client({
      connectionString: this.options.url,
      application_name: this.options.applicationName,
      connectionTimeoutMillis: 5000,
      query_timeout: this.heartbeatMs,
      keepAlive: true,
    });
    this.client = client;
    const current = () => this.client === client && !this.stopped;
    client.on('notification', (message) => {
      if (!current() || message.channel !== this.options.channel) return;
      const payload = message.payload ?? '';
      if (payload.startsWith(PROBE_PREFIX)) {
        // Other replicas' probes go round too; only this session's own counts.
        if (payload === this.pendingProbe?.payload) this.pendingProbe.arrived();
        return;
      }
      this.options.onNotification(payload);
    });
    // Without a listener an 'error' event would crash the process; 'end' follows it.
    client.on('error', (error) => {
      if (current()) this.options.logger.warn({ err: error }, 'notification listener: session failed');
    });
    client.on('end', () => {
      if (current()) this.lose(client);
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${this.options.channel.replace(/"/g, '""')}"`);
      await this.probe(client);
    } catch (error) {
      if (current()) {
        this.options.logger.warn({ err: error }, 'notification listener: cannot listen; retrying');
        this.lose(client);
      } else {
        await client.end().catch(() => undefined);
      }
      return;
    }
    if (!current()) {
      await client.end().catch(() => undefined);
      return;
    }
    if (this.failures > 0)
      this.options.logger.info({ channel: this.options.channel }, 'notification listener: listening again');
    this.failures = 0;
    this.listening = true;
    this.options.onListening();
    this.scheduleHeartbeat(client, current);
  }

  private scheduleHeartbeat(client: Client, current: () => boolean): void {
    this.heartbeatTimer = setTimeout(() => {
      this.probe(client).then(
        () => {
          if (current()) this.scheduleHeartbeat(client, current);
        },
        (error: unknown) => {
          if (!current()) return;
          this.options.logger.warn({ err: error }, 'notification listener: heartbeat failed; reconnecting');
          this.lose(client);
        },
      );
    }, this.heartbeatMs);
    this.heartbeatTimer.unref();
  }

  /** Sends a notification to the channel and waits for it to come back on this session. */
  private async probe(client: Client): Promise<void> {
    const payload = `${PROBE_PREFIX}${randomUUID()}`;
    let timer: NodeJS.Timeout | undefined;
    const arrived = new Promise<void>((resolve, reject) => {
      this.pendingProbe = { payload, arrived: resolve };
      timer = setTimeout(
        () => reject(new Error(`no notification came back within ${this.heartbeatMs} ms`)),
        this.heartbeatMs,
      );
    });
    try {
      await Promise.all([client.query('SELECT pg_notify($1, $2)', [this.options.channel, payload]), arrived]);
    } finally {
      clearTimeout(timer);
      if (this.pendingProbe?.payload === payload) this.pendingProbe = undefined;
    }
  }

  /** The session is no use any more: say so, drop it, and connect a new one after a backoff. */
  private lose(client: Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    clearTimeout(this.heartbeatTimer);
    this.markLost();
    // Not awaited: on a half-open socket `end` may wait for TCP to give up; a new session starts meanwhile.
    void client.end().catch(() => undefined);
    if (this.stopped) return;
    const initial = this.options.reconnectMs ?? 500;
    const delay = Math.min(this.options.maxReconnectMs ?? 10_000, initial * 2 ** Math.min(this.failures, 10));
    this.failures += 1;
    this.reconnectTimer = setTimeout(() => void this.connect(), delay);
    this.reconnectTimer.unref();
  }

  private markLost(): void {
    this.listening = false;
    this.options.onLost();
  }
}
