import { Module } from '@nestjs/common';
import { PruneRunsJob } from './prune-runs.job';
import { RunsRepository } from './runs.repository';

/** The poll run log and its retention. */
@Module({ providers: [RunsRepository, PruneRunsJob], exports: [RunsRepository, PruneRunsJob] })
export class RunsModule {}
