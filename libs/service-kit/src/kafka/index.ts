export * from './kafka-client';
export * from './consumer-runner';
export * from './consumer-metrics';
export * from './consumer-lag';
export * from './failure-policy';
export * from './run-with-failure-policy';
export * from './kafka-batch-handler';
export * from './kafka-batch-transport';
