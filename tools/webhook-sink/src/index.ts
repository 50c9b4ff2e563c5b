export { createWebhookSink } from './server';
export type {
  ReceivedRequest,
  RequestFilter,
  RequestSummary,
  WebhookSink,
  WebhookSinkOptions,
} from './server';
export { FaultPlan, faultSpecSchema } from './faults';
export type { ActiveFault, FaultSpec } from './faults';
export {
  checkSignatures,
  elementsSignature,
  standardWebhookSecret,
  standardWebhookSignature,
  TIMESTAMP_TOLERANCE_SECONDS,
} from './signatures';
export type { SignatureCheck, SignatureChecks } from './signatures';
