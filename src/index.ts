/**
 * multimodal-health: the public API the notebooks import (`import { … } from '../dist/index'`).
 */
export * from './errors';
export * from './config';
export * from './progress';
export * from './workspace';
export * from './pipeline';
export * from './pipeline-steps';
export * from './setup';
export * from './sql/engine';
export * from './sql/duckdb-engine';
export * from './sql/athena-engine';
export * from './sql/portable-macros';
// Capabilities: one line each (`export * from './<domain>/index';`).
export * from './features/index';
export * from './clinical/index';
export * from './genomics/index';
export * from './imaging/index';
export * from './cohort/index';
export * from './automl/index';
export * from './viz/index';
export * from './dashboard/index';
// <capability-exports>
