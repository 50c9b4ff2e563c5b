export * from './types';
export {
  callWithTokenRefresh,
  ElementRequestError,
  isProviderError,
  kindForStatus,
  parseRetryAfter,
  ProviderError,
  redactSecrets,
  type AccessTokenProvider,
  type ProviderErrorDetails,
  type ProviderErrorKind,
} from './errors';
export { DEFAULT_HTTP_TIMEOUTS, OUTBOUND_REFUSED_MESSAGE, type HttpTimeouts } from './http';
export {
  ceqlConditions,
  CeqlSyntaxError,
  parseCeqlFields,
  parseCeqlOrderBy,
  parseCeqlWhere,
  type CeqlComparisonOperator,
  type CeqlExpression,
  type CeqlOrderField,
  type CeqlValue,
  type ParsedWhere,
} from './ceql/ceql';
export { lenientPercentDecode, parseHubUrl, type ParsedHubUrl } from './hub-url';
export {
  closeElements,
  createElement,
  getElement,
  listElements,
  registerElementDefinitionsFrom,
  requireElement,
  UnknownElementError,
  BUILT_IN_DEFINITIONS_FOLDER,
  type ElementAdapterOptions,
  type ElementOutboundOptions,
} from './catalog';
export * from './maximizer';
export {
  DEFINITION_FORMAT_VERSION,
  definitionJsonSchema,
  elementDefinitionSchema,
  type ElementDefinitionDocument,
} from './declarative/format';
export {
  DefinitionError,
  loadDefinitionsFrom,
  parseElementDefinition,
  type DefinitionProblem,
} from './declarative/load';
export {
  createDeclarativeAdapter,
  type DeclarativeAdapterOptions,
  type DeclarativePlan,
} from './declarative/engine';
