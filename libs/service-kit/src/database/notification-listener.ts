import { Client } from 'pg';
import type { Logger } from 'pino';

export interface NotificationListenerOptions {
  url: string;
  /** The channel to LISTEN on (a constant of the caller's, not input). */
  channel: string;
  applicationName: string;
  logger: Logger;
  onNotification(payload: string): void;
  /** LISTEN holds (again): from now on every notification arrives. Whatever came before is unknown. */
  onListening(): void;
  /** The session is gone or does not answer: notifications may be missed until `onListening`. */
  onLost(): void;
  /** How often the session is asked `SELECT 1`, so a silent connection is noticed (default 5 s). */
  heartbeatMs?: number;
  /** Delay before reconnecting, doubled up to `maxReconnectMs` (defaults 500 ms and 10 s). */
  reconnectMs?: number;
  maxReconnectMs?: number;
}

/**
 * One PostgreSQL session that LISTENs on a channel, outside the pool (a pooled connection would be
 * handed to queries). It reconnects on its own; between `onLost` and the next `onListening` the caller
 * must assume it missed notifications. A heartbeat notices a connection that died without a word (a
 * half-open socket would otherwise look like a quiet channel for as long as TCP keepalive takes).
 */
export class PostgresNotificationListener {
  private client: Client | undefined;
  private listening = false;
  private stopped = true;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private failures = 0;

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
    clearInterval(this.heartbeatTimer);
    const client = this.client;
    this.client = undefined;
    this.markLost();
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const heartbeatMs = this.options.heartbeatMs ?? 5000;
    const client = new Client({
      connectionString: this.options.url,
      application_name: this.options.applicationName,
      connectionTimeoutMillis: 5000,
      // A heartbeat that gets no answer in this time counts as a lost session.
      query_timeout: heartbeatMs,
      keepAlive: true,
    });
    this.client = client;
    const current = () => this.client === client && !this.stopped;
    client.on('notification', (message) => {
      if (current() && message.channel === this.options.channel)
        this.options.onNotification(message.payload ?? '');
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
    } catch (error) {
      if (current()) {
        this.options.logger.warn({ err: error }, 'notification listener: cannot LISTEN; retrying');
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
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = setInterval(() => {
      client.query('SELECT 1').catch((error: unknown) => {
        if (!current()) return;
        this.options.logger.warn({ err: error }, 'notification listener: heartbeat failed; reconnecting');
        this.lose(client);
      });
    }, heartbeatMs);
    this.heartbeatTimer.unref();
  }

  /** The session is no use any more: say so, drop it, and connect a new one after a backoff. */
  private lose(client: Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    clearInterval(this.heartbeatTimer);
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
