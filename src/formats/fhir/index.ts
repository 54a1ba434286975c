/**
 * FHIR R4: validation (HealthLake validation levels, a structure validator compiled from the official StructureDefinitions), Bundle splitting, the
 * HealthLake-Athena row shape, and flattening into clinical events.
 */
export * from './validate';
export * from './structure';
export * from './bundle';
export * from './athena-shape';
export * from './events';
