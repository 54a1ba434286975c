/**
 * DICOM transfer syntaxes this library knows: how each one's pixel data is decoded, and how AWS HealthImaging keeps
 * it on import (transcoded to HTJ2K lossless, or stored with its original codestream).
 */

/** Transfer syntax UIDs by short name. */
export const TRANSFER_SYNTAX = {
  implicitLittle: '1.2.840.10008.1.2',
  explicitLittle: '1.2.840.10008.1.2.1',
  deflatedExplicitLittle: '1.2.840.10008.1.2.1.99',
  explicitBig: '1.2.840.10008.1.2.2',
  rle: '1.2.840.10008.1.2.5',
  jpegBaseline: '1.2.840.10008.1.2.4.50',
  jpegExtended: '1.2.840.10008.1.2.4.51',
  jpegLossless: '1.2.840.10008.1.2.4.57',
  jpegLosslessSv1: '1.2.840.10008.1.2.4.70',
  jpegLsLossless: '1.2.840.10008.1.2.4.80',
  jpegLsNearLossless: '1.2.840.10008.1.2.4.81',
  jpeg2000Lossless: '1.2.840.10008.1.2.4.90',
  jpeg2000: '1.2.840.10008.1.2.4.91',
  htj2kLossless: '1.2.840.10008.1.2.4.201',
  htj2kLosslessRpcl: '1.2.840.10008.1.2.4.202',
  htj2k: '1.2.840.10008.1.2.4.203',
} as const;

/** How the pixel data of a transfer syntax is decoded. */
export type PixelCoding = 'native' | 'native-big-endian' | 'rle' | 'htj2k' | 'jpeg-baseline' | 'jpeg-extended' | 'jpeg-lossless' | 'jpeg-ls' | 'jpeg2000' | 'unsupported';

const CODING: Readonly<Record<string, PixelCoding>> = {
  [TRANSFER_SYNTAX.implicitLittle]: 'native',
  [TRANSFER_SYNTAX.explicitLittle]: 'native',
  [TRANSFER_SYNTAX.deflatedExplicitLittle]: 'native',
  [TRANSFER_SYNTAX.explicitBig]: 'native-big-endian',
  [TRANSFER_SYNTAX.rle]: 'rle',
  [TRANSFER_SYNTAX.jpegBaseline]: 'jpeg-baseline',
  [TRANSFER_SYNTAX.jpegExtended]: 'jpeg-extended',
  [TRANSFER_SYNTAX.jpegLossless]: 'jpeg-lossless',
  [TRANSFER_SYNTAX.jpegLosslessSv1]: 'jpeg-lossless',
  [TRANSFER_SYNTAX.jpegLsLossless]: 'jpeg-ls',
  [TRANSFER_SYNTAX.jpegLsNearLossless]: 'jpeg-ls',
  [TRANSFER_SYNTAX.jpeg2000Lossless]: 'jpeg2000',
  [TRANSFER_SYNTAX.jpeg2000]: 'jpeg2000',
  [TRANSFER_SYNTAX.htj2kLossless]: 'htj2k',
  [TRANSFER_SYNTAX.htj2kLosslessRpcl]: 'htj2k',
  [TRANSFER_SYNTAX.htj2k]: 'htj2k',
};

/** Known syntaxes without a decoder here, and why. */
const UNSUPPORTED_REASON: Readonly<Record<string, string>> = {
  '1.2.840.10008.1.2.1.98': 'Encapsulated Uncompressed Explicit VR Little Endian is not among the syntaxes HealthImaging imports',
  '1.2.840.10008.1.2.4.92': 'JPEG 2000 Part 2 multi-component (lossless) is not decoded here',
  '1.2.840.10008.1.2.4.93': 'JPEG 2000 Part 2 multi-component is not decoded here',
};

/**
 * Syntaxes HealthImaging stores with their original codestream (lossy ones: transcoding them would not make them
 * lossless again). `GetImageFrame` returns those bytes as they were; every other syntax is transcoded to HTJ2K
 * lossless with RPCL progression (`1.2.840.10008.1.2.4.202`).
 */
const STORED_AS_IS: ReadonlySet<string> = new Set([TRANSFER_SYNTAX.jpegBaseline, TRANSFER_SYNTAX.jpeg2000, TRANSFER_SYNTAX.htj2k]);

/** `GetImageFrame`'s content type per stored syntax. */
const CONTENT_TYPE: Readonly<Record<string, string>> = {
  [TRANSFER_SYNTAX.jpegBaseline]: 'image/jpeg',
  [TRANSFER_SYNTAX.jpeg2000]: 'image/j2c',
  [TRANSFER_SYNTAX.htj2k]: 'image/jphc',
  [TRANSFER_SYNTAX.htj2kLosslessRpcl]: 'image/jph',
};

/**
 * How pixel data in a transfer syntax is decoded.
 *
 * @param uid - TransferSyntaxUID
 * @returns the coding, `unsupported` when no decoder is available
 */
export function pixelCoding(uid: string): PixelCoding {
  return CODING[uid] ?? 'unsupported';
}

/**
 * Whether the pixel data of a syntax is encapsulated (fragments) rather than native.
 *
 * @param uid - TransferSyntaxUID
 * @returns true for every compressed syntax (and unknown ones, which are treated as encapsulated)
 */
export function isEncapsulated(uid: string): boolean {
  const c = pixelCoding(uid);
  return c !== 'native' && c !== 'native-big-endian';
}

/**
 * Why a transfer syntax cannot be decoded.
 *
 * @param uid - TransferSyntaxUID
 * @returns a sentence naming the syntax
 */
export function unsupportedReason(uid: string): string {
  return UNSUPPORTED_REASON[uid] ?? `transfer syntax ${uid} is not one this reader knows (nor one HealthImaging imports)`;
}

/**
 * Whether HealthImaging keeps frames of this syntax as they are (instead of transcoding them to HTJ2K lossless).
 *
 * @param uid - TransferSyntaxUID of the imported file
 * @returns true for JPEG baseline (.50), JPEG 2000 lossy (.91) and HTJ2K lossy (.203)
 */
export function storedAsIs(uid: string): boolean {
  return STORED_AS_IS.has(uid);
}

/**
 * The content type `GetImageFrame` answers with for frames stored in a syntax.
 *
 * @param storedUid - StoredTransferSyntaxUID of the instance (absent = HTJ2K lossless RPCL)
 * @returns the MIME type
 */
export function frameContentType(storedUid: string | undefined): string {
  return CONTENT_TYPE[storedUid ?? TRANSFER_SYNTAX.htj2kLosslessRpcl] ?? 'application/octet-stream';
}
