import type {
  Fault as SharedFault,
  FaultInjector as SharedInjector,
  FaultSpec as SharedSpec,
} from '@pollcast/tool-process';

/**
 * rateLimit: 429 (or 403, `status`) + Retry-After in the provider's error shape · serverError:
 * 500/502/503/504 · slow: answer normally after delayMs · timeout: never answer (the socket is dropped
 * after holdMs) · unauthorized: the provider's 401 even with a valid credential · malformedJson: 200 with
 * the real body cut in half.
 */
export const FAULT_KINDS = [
  'rateLimit',
  'serverError',
  'slow',
  'timeout',
  'unauthorized',
  'malformedJson',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export type FaultSpec = SharedSpec<FaultKind>;
export type Fault = SharedFault<FaultKind>;
export type FaultInjector = SharedInjector<FaultKind>;
