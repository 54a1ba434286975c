/**
 * What every pixel decoder of the DICOM reader returns ({@link RawDecoded}), in its own module so the decoders
 * (`codecs.ts`, `jpeg12.ts`, `rle.ts`…) and the reader (`read.ts`) share it without importing each other.
 */

/** A decoded frame before it is typed by the DICOM pixel description. */
export interface RawDecoded {
  /** Columns in the codestream. */
  readonly width: number;
  /** Rows in the codestream. */
  readonly height: number;
  /** Components in the codestream. */
  readonly components: number;
  /** Bits per sample in the codestream. */
  readonly bitsPerSample: number;
  /** Two's-complement samples, when the codestream says so (JPEG 2000 / HTJ2K). */
  readonly isSigned?: boolean;
  /** Sample bytes, little endian, components interleaved. */
  readonly bytes: Uint8Array;
}
