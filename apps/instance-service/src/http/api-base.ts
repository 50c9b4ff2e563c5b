/** Open Connectors' base path: only the public API lives under it (health, metrics, docs, internal do not). */
export const API_BASE = 'elements/api-v2';
