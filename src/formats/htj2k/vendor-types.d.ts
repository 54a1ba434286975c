/* Minimal typings for @cornerstonejs/codec-openjph (the package ships no declarations). */
declare module '@cornerstonejs/codec-openjph' {
  /** Frame geometry as OpenJPH reports and takes it. */
  interface OpenJphFrameInfo {
    width: number;
    height: number;
    bitsPerSample: number;
    componentCount: number;
    isSigned: boolean;
    isUsingColorTransform?: boolean;
  }
  interface OpenJphDecoder {
    getEncodedBuffer(length: number): Uint8Array;
    getDecodedBuffer(): Uint8Array;
    readHeader(): void;
    decode(): void;
    getFrameInfo(): OpenJphFrameInfo;
    getNumDecompositions(): number;
    getIsReversible(): boolean;
    getProgressionOrder(): number;
    getBlockDimensions(): { width: number; height: number };
    delete(): void;
  }
  interface OpenJphEncoder {
    getDecodedBuffer(frameInfo: OpenJphFrameInfo): Uint8Array;
    getEncodedBuffer(): Uint8Array;
    encode(): void;
    setQuality(lossless: boolean, quantizationStep: number): void;
    setProgressionOrder(order: number): void;
    setDecompositions(levels: number): void;
    setBlockDimensions(size: { width: number; height: number }): void;
    delete(): void;
  }
  interface OpenJphModule {
    HTJ2KDecoder: new () => OpenJphDecoder;
    HTJ2KEncoder: new () => OpenJphEncoder;
    getVersion(): string;
  }
  const factory: (options?: Record<string, unknown>) => Promise<OpenJphModule>;
  export default factory;
}
