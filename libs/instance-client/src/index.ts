export {
  InstanceClient,
  InstanceServiceRefusedError,
  InstanceServiceUnavailableError,
  type InstanceClientOptions,
  type UnavailableFailure,
} from './instance-client';
