/**
 * VCF reading: header model, streaming records, GT decoding, strict/lenient validation.
 */
export * from './types';
export * from './header';
export * from './record';
export * from './reader';
