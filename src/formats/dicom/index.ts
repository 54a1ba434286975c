export * from './read';
export * from './rle';
export * from './transfer-syntax';
