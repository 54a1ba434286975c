export * from './read';
export * from './rle';
export * from './transfer-syntax';
export * from './codecs';
export * from './charset';
export { decodeJpeg12 } from './jpeg12';
export { peekSopInstanceUID } from './raw-scan';
