/**
 * Imaging: the datastore (HealthImaging semantics; local and AWS backends), DICOM and HTJ2K formats, masks, radiomics
 * and per-study features. The NIfTI and NRRD readers are test-only (import them from their modules).
 */
export * from './types';
export * from './metadata';
export * from './search';
export * from './volume';
export * from './store';
export * from './local/datastore';
export * from './aws/datastore';
export * from '../formats/dicom/index';
export * from '../formats/htj2k/index';
export * from './masks';
export * from './features';
export * from './radiomics/index';
export * from './pipeline-steps';
export * from './png';
