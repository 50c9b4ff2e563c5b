export { classifyAddress, isIpLiteral, type AddressVerdict } from './address';
export {
  checkOutboundUrl,
  CompiledPolicy,
  hostPatternProblem,
  isOutboundRefusal,
  OutboundRefusedError,
  parseHostAllowList,
  type OutboundPolicy,
  type OutboundRefusalReason,
  type OutboundResolver,
} from './policy';
export {
  createGuardedAgent,
  createGuardedConnector,
  guardedLookup,
  type GuardedAgentOptions,
  type GuardedConnectorOptions,
} from './connector';
