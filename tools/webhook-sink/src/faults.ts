import { z } from 'zod';

/** What the sink does instead of answering 200. */
export const faultSpecSchema = z
  .object({
    /** Answer with this status (e.g. 500, 410, 429). */
    status: z.number().int().min(100).max(599).optional(),
    /** Wait this long before answering (or before dropping). */
    delayMs: z.number().int().min(0).max(600_000).optional(),
    /** Destroy the connection without an answer. */
    drop: z.boolean().optional(),
    /** Extra response headers, e.g. `{"retry-after": "2"}`. */
    headers: z.record(z.string(), z.string()).optional(),
    /** Response body (default `{"fault":true}`). */
    body: z.string().max(100_000).optional(),
    /** Only requests whose path starts with this. Default: every callback path. */
    pathPrefix: z.string().startsWith('/').optional(),
    /** Applies to the next N matching requests … */
    count: z.number().int().min(1).optional(),
    /** … and/or for this many milliseconds from now. Neither = until cleared. */
    durationMs: z.number().int().min(1).optional(),
  })
  .refine((spec) => spec.status !== undefined || spec.delayMs !== undefined || spec.drop === true, {
    message: 'a fault needs status, delayMs or drop',
  });
export type FaultSpec = z.infer<typeof faultSpecSchema>;

export interface ActiveFault {
  readonly id: number;
  readonly spec: FaultSpec;
  /** Epoch ms after which the fault no longer fires. */
  readonly until: number | undefined;
  remaining: number | undefined;
  fired: number;
}

/** Faults fire in the order they were added; the first that matches a request takes it. */
export class FaultPlan {
  private faults: ActiveFault[] = [];
  private nextId = 1;

  constructor(private readonly now: () => number = Date.now) {}

  add(spec: FaultSpec): ActiveFault {
    const fault: ActiveFault = {
      id: this.nextId++,
      spec,
      until: spec.durationMs === undefined ? undefined : this.now() + spec.durationMs,
      remaining: spec.count,
      fired: 0,
    };
    this.faults.push(fault);
    return fault;
  }

  /** Consumes one use of the first fault matching the path, if any. */
  take(path: string): FaultSpec | undefined {
    this.prune();
    const fault = this.faults.find(
      (candidate) => candidate.spec.pathPrefix === undefined || path.startsWith(candidate.spec.pathPrefix),
    );
    if (!fault) return undefined;
    fault.fired += 1;
    if (fault.remaining !== undefined) fault.remaining -= 1;
    this.prune();
    return fault.spec;
  }

  list(): ActiveFault[] {
    this.prune();
    return this.faults.map((fault) => ({ ...fault }));
  }

  clear(): void {
    this.faults = [];
  }

  private prune(): void {
    const now = this.now();
    this.faults = this.faults.filter(
      (fault) =>
        (fault.remaining === undefined || fault.remaining > 0) &&
        (fault.until === undefined || fault.until > now),
    );
  }
}
