import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { DomainError, RequestValidationError, ErrorCode } from '@pollcast/service-kit';
import type { Principal } from '../tenants/principal';
import { InstanceBodyParser } from './instance-body';
import { configurationEntryId, resolveConfigurationKey, type ConfigurationEntry } from './instance-mapper';
import { InstanceUpdater } from './instance-updater';

/** PATCH /instances/{id}/configuration/{configId}: one entry, named by its id or by the key itself. */
@Injectable()
export class UpdateConfigurationEntry {
  constructor(
    @Inject(InstanceBodyParser) private readonly bodies: InstanceBodyParser,
    @Inject(InstanceUpdater) private readonly updater: InstanceUpdater,
  ) {}

  async execute(
    principal: Principal,
    id: string,
    configId: string,
    body: unknown,
  ): Promise<ConfigurationEntry> {
    if (typeof body !== 'object' || body === null || Array.isArray(body) || !('propertyValue' in body)) {
      throw new RequestValidationError('Invalid configuration entry', [
        { path: 'propertyValue', message: 'is required: the new value of this configuration key' },
      ]);
    }
    const propertyValue = body.propertyValue;
    this.bodies.refuseUnstorableText({ propertyValue });
    let key: string | undefined;
    const updated = await this.updater.apply(principal, id, (current, record) => {
      key =
        resolveConfigurationKey(record.publicConfig, configId) ??
        (/^\d+$/.test(configId) ? undefined : configId);
      if (key === undefined)
        throw new DomainError(
          ErrorCode.NOT_FOUND,
          `No configuration entry '${configId.slice(0, 100)}'`,
          HttpStatus.NOT_FOUND,
        );
      return this.bodies.parse({ configuration: { [key]: propertyValue } }, 'patch', current);
    });
    const resolvedKey = key ?? configId;
    return {
      id: configurationEntryId(resolvedKey),
      key: resolvedKey,
      name: resolvedKey,
      propertyValue: updated.configuration[resolvedKey] ?? null,
    };
  }
}
