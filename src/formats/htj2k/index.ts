export * from './codec';
export * from './crc32';
