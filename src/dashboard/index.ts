/**
 * Dashboards: the static site (population sheets + patient view), its localhost server, the `mmh dashboard`
 * command and the `dashboard` pipeline step.
 */
export * from './types';
export * from './aggregate';
export * from './records';
export * from './load';
export * from './page';
export * from './client-script';
export * from './write';
export * from './serve';
export * from './command';
export * from './synthetic';
