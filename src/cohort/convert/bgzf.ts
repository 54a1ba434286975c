/**
 * BGZF (blocked gzip, SAM/BAM spec §4.1) writer: a series of gzip members of ≤ 64 KiB input, each with the `BC`
 * extra field holding the block size, ending with the standard empty EOF block. Readable by any gzip reader and by
 * htslib (bcftools, tabix).
 */
import * as zlib from 'node:zlib';

const BLOCK_INPUT = 0xff00; // htslib's BGZF_BLOCK_SIZE: leaves room for incompressible data within 64 KiB.

/** The 28-byte BGZF end-of-file marker block. */
export const BGZF_EOF = Buffer.from('1f8b08040000000000ff0600424302001b0003000000000000000000', 'hex');

function block(data: Buffer): Buffer {
  const deflated = zlib.deflateRawSync(data, { level: 6 });
  const bsize = 18 + deflated.length + 8; // header(18) + cdata + crc32(4) + isize(4)
  const out = Buffer.alloc(bsize);
  out.set([0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 6, 0, 0x42, 0x43, 2, 0], 0);
  out.writeUInt16LE(bsize - 1, 16);
  deflated.copy(out, 18);
  out.writeUInt32LE(zlib.crc32(data) >>> 0, 18 + deflated.length);
  out.writeUInt32LE(data.length, 22 + deflated.length);
  return out;
}

/**
 * Compresses bytes as BGZF.
 *
 * @param data - uncompressed bytes (e.g. VCF text)
 * @returns the BGZF file content, EOF block included
 */
export function bgzfCompress(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let off = 0; off < data.length; off += BLOCK_INPUT) {
    parts.push(block(data.subarray(off, Math.min(data.length, off + BLOCK_INPUT))));
  }
  parts.push(BGZF_EOF);
  return Buffer.concat(parts);
}
