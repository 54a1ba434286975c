/**
 * DICOM transfer syntaxes this library knows, and which of them it can decode.
 */

/** Transfer syntax UIDs by short name. */
export const TRANSFER_SYNTAX = {
  implicitLittle: '1.2.840.10008.1.2',
  explicitLittle: '1.2.840.10008.1.2.1',
  deflatedExplicitLittle: '1.2.840.10008.1.2.1.99',
  explicitBig: '1.2.840.10008.1.2.2',
  rle: '1.2.840.10008.1.2.5',
  jpegBaseline: '1.2.840.10008.1.2.4.50',
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
export type PixelCoding = 'native' | 'native-big-endian' | 'rle' | 'htj2k' | 'unsupported';

const CODING: Readonly<Record<string, PixelCoding>> = {
  [TRANSFER_SYNTAX.implicitLittle]: 'native',
  [TRANSFER_SYNTAX.explicitLittle]: 'native',
  [TRANSFER_SYNTAX.deflatedExplicitLittle]: 'native',
  [TRANSFER_SYNTAX.explicitBig]: 'native-big-endian',
  [TRANSFER_SYNTAX.rle]: 'rle',
  [TRANSFER_SYNTAX.htj2kLossless]: 'htj2k',
  [TRANSFER_SYNTAX.htj2kLosslessRpcl]: 'htj2k',
  [TRANSFER_SYNTAX.htj2k]: 'htj2k',
};

/** Why a known syntax cannot be decoded here (no well-kept decoder among the installed packages). */
const UNSUPPORTED_REASON: Readonly<Record<string, string>> = {
  [TRANSFER_SYNTAX.jpegBaseline]: 'JPEG baseline: no JPEG decoder is installed',
  [TRANSFER_SYNTAX.jpegLossless]: 'JPEG lossless: no JPEG decoder is installed',
  [TRANSFER_SYNTAX.jpegLosslessSv1]: 'JPEG lossless SV1: no JPEG decoder is installed',
  [TRANSFER_SYNTAX.jpegLsLossless]: 'JPEG-LS: no CharLS decoder (@cornerstonejs/codec-charls) is installed',
  [TRANSFER_SYNTAX.jpegLsNearLossless]: 'JPEG-LS: no CharLS decoder (@cornerstonejs/codec-charls) is installed',
  [TRANSFER_SYNTAX.jpeg2000Lossless]:
    'JPEG 2000 Part 1: OpenJPH decodes only HTJ2K (Part 15) code blocks and no OpenJPEG decoder (@cornerstonejs/codec-openjpeg) is installed',
  [TRANSFER_SYNTAX.jpeg2000]:
    'JPEG 2000 Part 1: OpenJPH decodes only HTJ2K (Part 15) code blocks and no OpenJPEG decoder (@cornerstonejs/codec-openjpeg) is installed',
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
 * Why a transfer syntax cannot be decoded.
 *
 * @param uid - TransferSyntaxUID
 * @returns a sentence naming the syntax and the missing decoder
 */
export function unsupportedReason(uid: string): string {
  return UNSUPPORTED_REASON[uid] ?? `transfer syntax ${uid} is not one this reader knows`;
}
