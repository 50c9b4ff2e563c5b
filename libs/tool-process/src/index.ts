export { jsonLineLogger, parseToolEnv, runTool, stopOnSignals } from './process';
export type { LogLine } from './process';
// What the provider simulators (tools/maximizer-sim, tools/provider-sim) are made of.
export { SimClock } from './clock';
export type { ClockState } from './clock';
export { RequestLog } from './request-log';
export type { LoggedRequest, RequestQuery } from './request-log';
export { BodyTooLargeError, escapeHtml, htmlPage, json, JSON_TYPE, readBody, send } from './http-reply';
export type { Reply } from './http-reply';
export { OAuthServer } from './oauth';
export type { AuthorizeCheck, OAuthReply, TokenResponse } from './oauth';
export { FaultInjector } from './faults';
export type { Fault, FaultSpec } from './faults';
export { describeIssues, isReply, validate, validationError } from './control-body';
export {
  clockAdvanceBodySchema,
  clockFreezeBodySchema,
  clockSetBodySchema,
  faultBodySchema,
  isoInstantSchema,
  logQueryShape,
  oauthClientBodySchema,
  oauthRevokeBodySchema,
  oauthTokenBodySchema,
  readControlBody,
  sharedControlRoute,
  tokenClientId,
} from './sim-control';
export type { SharedControlParts } from './sim-control';
export { cutInHalf, FaultTimers, listenSimulator, seededRandom } from './sim-runtime';
export type { RunningServer } from './sim-runtime';
export { SimControlClient, toHttpResult } from './sim-client';
export type { HttpResult } from './sim-client';
