export {
  createMaximizerAdapter,
  maximizerAuthorizeUrl,
  maximizerBaseUrl,
  planMaximizerHubRequest,
  MAXIMIZER_DEFAULT_PAGE_SIZE,
  MAXIMIZER_MAX_PAGE_SIZE,
  type MaximizerAdapterOptions,
} from './adapter';
export {
  MAXIMIZER_CONFIG_KEYS,
  MAXIMIZER_DEFINITION,
  MAXIMIZER_KEY,
  MAXIMIZER_PROVIDER_HOSTS,
  MAXIMIZER_RESOURCES,
  type MaximizerResource,
  type OctopusEntity,
} from './definition';
