import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** Who runs a housekeeping task right now, so that one instance at a time does (server/housekeeping.ts). */
export const TaskLeaseEntity = defineEntity({
  name: 'TaskLease',
  tableName: 'task_leases',
  properties: {
    task: p.string().length(64).primary(),
    /** A random id per server process. */
    holder: p.string().length(64),
    /** Another instance may take the task after this, as the holder may have died mid-run. */
    until: p.datetime(),
  },
});
export type TaskLease = InferEntity<typeof TaskLeaseEntity>;
