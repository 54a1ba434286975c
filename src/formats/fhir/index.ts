/**
 * FHIR R4: validation (HealthLake validation levels, medplum's structure validator), Bundle splitting, the
 * HealthLake-Athena row shape, and flattening into clinical events.
 */
export * from './validate';
export * from './bundle';
export * from './athena-shape';
export * from './events';
