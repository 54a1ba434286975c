/**
 * Feature store (SageMaker Feature Store semantics) on the local (DuckDB + Parquet) and AWS backends, and
 * point-in-time training sets. See `README.md` in this folder.
 */
export * from './types';
export * from './limits';
export * from './records';
export * from './infer';
export * from './clock';
export * from './dataset';
export * from './store';
export * from './local/local-feature-store';
export * from './aws/aws-feature-store';
export * from './workspace-handle';
export * from './patient-record';
// Figure builders of the single-patient record (pure; they live in viz/ with the other figure builders).
export * from '../viz/patient-timeline';
export * from '../viz/modality-overlap';
