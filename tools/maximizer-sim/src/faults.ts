// Maximizer's fault kinds; the injector itself is shared (@pollcast/tool-process).
import type {
  Fault as GenericFault,
  FaultInjector as GenericFaultInjector,
  FaultSpec as GenericFaultSpec,
} from '@pollcast/tool-process';

/**
 * rateLimit: 429 + Retry-After · serverError: 500/502/503/504 · slow: answer normally after delayMs ·
 * timeout: never answer (the socket is dropped after holdMs) · unauthorized: 401 even with a valid token ·
 * malformedJson: 200 with a truncated JSON body · repeatPage: a Read with a PageKey gets the page that
 * produced that PageKey again · emptyPage: a Read gets no records but a PageKey that resumes at the same place.
 */
export const FAULT_KINDS = [
  'rateLimit',
  'serverError',
  'slow',
  'timeout',
  'unauthorized',
  'malformedJson',
  'repeatPage',
  'emptyPage',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Faults that only make sense on a Read, decided after the request was parsed. */
export const PAGE_FAULT_KINDS: readonly FaultKind[] = ['repeatPage', 'emptyPage'];

export type FaultSpec = GenericFaultSpec<FaultKind>;
export type Fault = GenericFault<FaultKind>;
export type FaultInjector = GenericFaultInjector<FaultKind>;
