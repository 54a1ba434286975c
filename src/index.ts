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
export * from './viz/html';
export * from './viz/notebook';
// Capabilities: one line each (`export * from './<domain>/index';`).
// <capability-exports>
