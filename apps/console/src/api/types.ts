// Shapes the console reads from the public API. The backend services are young, so every shape is
// read defensively (see normalize.ts): known fields are typed, everything else stays `unknown` and is
// shown as-is rather than guessed at.

/** Where each API group lives; `''` means the console's own origin. See README.md. */
export interface ConsoleConfig {
  readonly apiBase: string;
  readonly pollerApiBase: string;
  readonly dispatcherApiBase: string;
}

export interface Credentials {
  readonly userSecret: string;
  readonly organizationSecret: string;
}

export type JsonObject = { [key: string]: unknown };

export interface ElementSummary {
  readonly key: string;
  readonly name: string;
  readonly hub: string | undefined;
  readonly description: string | undefined;
}

export interface ElementResource {
  readonly name: string;
  readonly description: string | undefined;
  /** The resource's default poller configuration (seed shape: url, idField, datesConfiguration). */
  readonly defaultPollerConfig: JsonObject;
}

/** One configuration key of an element (GET /elements/{key} `configuration`). */
export interface ElementConfigKey {
  readonly key: string;
  readonly description: string | undefined;
  readonly secret: boolean;
  readonly required: boolean;
  readonly defaultValue: string | undefined;
}

export interface ElementDetail extends ElementSummary {
  readonly defaultRefreshIntervalMinutes: number | undefined;
  readonly resources: readonly ElementResource[];
  /** `oauth2` (authorization code: "Connect"), `oauth2-client-credentials`, `apiKey`, `basic`, `bearer`. */
  readonly authenticationType: string;
  readonly configuration: readonly ElementConfigKey[];
}

export interface OAuthUrlResponse {
  readonly oauthUrl: string;
}

export interface Instance {
  readonly id: string;
  readonly name: string;
  readonly elementKey: string;
  readonly elementName: string;
  readonly createdDate: string | undefined;
  readonly tags: readonly string[];
  readonly enabled: boolean;
  readonly valid: boolean;
  readonly eventsEnabled: boolean;
  readonly configuration: JsonObject;
  readonly raw: JsonObject;
}

/** One row of a list we only partly understand (poller state, poll runs, events, deliveries). */
export type Row = JsonObject;

export interface EventSummary {
  readonly id: string;
  readonly eventType: string | undefined;
  readonly objectType: string | undefined;
  readonly objectId: string | undefined;
  readonly status: string | undefined;
  readonly date: string | undefined;
  readonly raw: Row;
}

export interface DeliveryAttempt {
  readonly number: number | undefined;
  readonly at: string | undefined;
  readonly status: string | undefined;
  readonly httpStatus: number | undefined;
  readonly error: string | undefined;
  readonly raw: Row;
}

export interface Delivery {
  readonly id: string | undefined;
  readonly status: string | undefined;
  readonly callbackUrl: string | undefined;
  readonly attempts: readonly DeliveryAttempt[];
  readonly raw: Row;
}

export interface EventDetail extends EventSummary {
  readonly deliveries: readonly Delivery[];
}

/** One server-side validation problem, as `{path, message}` in the error body. */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}
