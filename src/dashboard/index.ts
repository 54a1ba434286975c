/**
 * Dashboards: the static site (population sheets + patient view), its data loader and localhost server. The
 * `mmh dashboard` command and pipeline step (`command.ts`) and the synthetic test input (`synthetic.ts`) are not
 * re-exported: import them from their modules.
 */
export * from './types';
export * from './aggregate';
export * from './records';
export * from './load';
export * from './page';
export * from './client-script';
export * from './write';
export * from './serve';
