import { Controller, Get, Header, Injectable } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * One Prometheus registry per process, every series labelled `component="<service>"`. Not `service`:
 * Prometheus Operator sets `service` (the Kubernetes Service) on every scraped series, and a target's own
 * `service` label would be renamed `exported_service` or overwrite it.
 */
@Injectable()
export class MetricsRegistry {
  readonly registry = new Registry();
  constructor(service: string) {
    this.registry.setDefaultLabels({ component: service });
    collectDefaultMetrics({ register: this.registry });
  }
}

@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsRegistry) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
