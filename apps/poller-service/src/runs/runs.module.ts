import { Module } from '@nestjs/common';
import { PruneRunsJob } from './prune-runs.job';
import { RunsStore } from './runs.store';

/** The poll run log and its retention. */
@Module({ providers: [RunsStore, PruneRunsJob], exports: [RunsStore, PruneRunsJob] })
export class RunsModule {}
