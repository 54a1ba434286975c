/**
 * Clinical: the FHIR R4 datastore (HealthLake semantics; local DuckDB and AWS backends), cohort labels with index
 * dates, and leakage-free clinical features. Re-exports the FHIR and NDJSON format helpers it is built on.
 */
export * from '../formats/fhir/index';
export * from '../formats/ndjson/index';
export * from './fhir-store';
export * from './cohort';
export * from './features';
export * from './bundles-to-ndjson';
export * from './handle';
export * from './local/local-fhir-store';
export * from './local/job-files';
export * from './local/search-sql';
export * from './local/clinical-data';
export * from './aws/aws-fhir-store';
export * from './pipeline-steps';
export * from './study-cohort';
