export * from './kafka-client';
export * from './consumer-runner';
export * from './consumer-metrics';
export * from './failure-policy';
export * from './run-with-failure-policy';
export * from './kafka-security';
export * from './topic-check';
