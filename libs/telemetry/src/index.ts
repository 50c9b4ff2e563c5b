export * from './settings';
export * from './telemetry';
export * from './spans';
export * from './kafka-headers';
export * from './log-fields';
export * from './http-server';
