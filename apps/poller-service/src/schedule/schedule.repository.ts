/**
 * Old name of `schedule.store.ts`, kept only for `polling/` (being edited elsewhere): its imports move
 * to `ScheduleStore` from './schedule.store' next, and this file goes.
 */
export { ScheduleStore as ScheduleRepository } from './schedule.store';
export type { ClaimedPoll } from './schedule.store';
