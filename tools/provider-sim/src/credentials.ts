// The static credentials of the token-authenticated providers: HubSpot private-app tokens, GitHub
// tokens, Zendesk agent email + API token pairs. Salesforce uses OAuth (@pollcast/tool-process's server).
import { timingSafeEqual } from 'node:crypto';

export interface CredentialDefaults {
  hubspotToken: string;
  githubToken: string;
  zendeskEmail: string;
  zendeskApiToken: string;
}

export const DEFAULT_CREDENTIALS: CredentialDefaults = {
  hubspotToken: 'pat-na1-sim-hubspot-token',
  githubToken: 'ghp_simGithubToken',
  zendeskEmail: 'agent@example.com',
  zendeskApiToken: 'zendesk-sim-api-token',
};

export type TokenProvider = 'hubspot' | 'github' | 'zendesk';

function same(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export class Credentials {
  private readonly tokens: Record<TokenProvider, string[]> = { hubspot: [], github: [], zendesk: [] };

  constructor(private readonly defaults: CredentialDefaults) {
    this.reset();
  }

  /** For Zendesk the token is `email/token:apitoken`, as its Basic credentials are built. */
  add(provider: TokenProvider, token: string): void {
    if (!this.tokens[provider].includes(token)) this.tokens[provider].push(token);
  }

  revoke(provider: TokenProvider, token?: string): number {
    const before = this.tokens[provider].length;
    this.tokens[provider] =
      token === undefined ? [] : this.tokens[provider].filter((known) => known !== token);
    return before - this.tokens[provider].length;
  }

  isValid(provider: TokenProvider, token: string): boolean {
    return this.tokens[provider].some((known) => same(known, token));
  }

  count(provider: TokenProvider): number {
    return this.tokens[provider].length;
  }

  reset(): void {
    this.tokens.hubspot = [this.defaults.hubspotToken];
    this.tokens.github = [this.defaults.githubToken];
    this.tokens.zendesk = [zendeskToken(this.defaults.zendeskEmail, this.defaults.zendeskApiToken)];
  }
}

export function zendeskToken(email: string, apiToken: string): string {
  return `${email}/token:${apiToken}`;
}
