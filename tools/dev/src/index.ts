export {
  dataDir,
  startInfra,
  stopLeftovers,
  PROFILES,
  REPO_ROOT,
  type Infra,
  type InfraProfile,
} from './infra';
export { ensureDatabase, startLocalPostgres } from './local-postgres';
export { startProcess, type ProcessSpec, type SupervisedProcess } from './processes';
export { platformProcesses, PORTS, type PlatformSettings } from './platform';
export { checkObservability } from './observability-check';
export { authorizationHeader, generateSecrets, type LocalSecrets } from './secrets';
export { startToxiproxy, TOXIPROXY_VERSION, type ToxiproxyServer } from './toxiproxy';
