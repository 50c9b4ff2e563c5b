import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { createElement, registerElementDefinitionsFrom, type ElementAdapter } from '@pollcast/elements';
import { compileUrlTemplate, type UrlTemplate } from '@pollcast/date-template';
import { SERVICE_ENV } from '@pollcast/service-kit';
import type { Env } from '../env';

const TEMPLATE_CACHE_LIMIT = 10_000;

/** Element adapters with the poller's own timeouts and outbound policy (keep-alive pools per origin), and
 * compiled URL templates (parsing a pattern costs more than rendering it; most instances share them). */
@Injectable()
export class ProviderClient implements OnApplicationShutdown {
  private readonly adapters = new Map<string, ElementAdapter>();
  private readonly templates = new Map<string, UrlTemplate>();

  constructor(@Inject(SERVICE_ENV) private readonly env: Env) {
    // The operator's element definitions join the catalog at start; a broken one stops the start.
    if (env.POLLCAST_ELEMENTS_DIR !== undefined) registerElementDefinitionsFrom(env.POLLCAST_ELEMENTS_DIR);
  }

  adapter(elementKey: string): ElementAdapter {
    let adapter = this.adapters.get(elementKey);
    if (!adapter) {
      adapter = createElement(elementKey, {
        timeouts: { requestTimeoutMs: this.env.POLLER_PROVIDER_TIMEOUT_MS },
        // Every Octopus call goes through the outbound guard: the element's own hosts plus the operator's
        // allow-list, addresses checked when dialled (a snapshot's maximizer.url is tenant input).
        outbound: { allowedHosts: this.env.POLLCAST_PROVIDER_ALLOWED_HOSTS },
      });
      this.adapters.set(elementKey, adapter);
    }
    return adapter;
  }

  renderUrl(url: string, windowStart: Date): string {
    let template = this.templates.get(url);
    if (!template) {
      if (this.templates.size >= TEMPLATE_CACHE_LIMIT) this.templates.clear();
      template = compileUrlTemplate(url);
      this.templates.set(url, template);
    }
    return template.render(windowStart, { zone: this.env.POLLER_DATE_ZONE });
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.adapters.values()].map((adapter) => adapter.close()));
    this.adapters.clear();
  }
}
