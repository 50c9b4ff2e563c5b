export * from './coalescing-queue';
