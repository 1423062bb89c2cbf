export * from './config';
export * from './errors';
export * from './endpoint';
export * from './endpoints/system';
export * from './endpoints/communities';
export * from './events';
export * from './permissions';
export { endpoints, type Endpoints } from './registry';
