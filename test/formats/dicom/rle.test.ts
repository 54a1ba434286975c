/**
 * `decodeRleFrame` (DICOM RLE Lossless, PS3.5 Annex G) on its own: real RLE files from pydicom's test data against
 * their uncompressed twins, frames dcmtk's dcmcrle wrote from images built to exercise the edges (odd segment
 * lengths padded to even, runs longer than 128, runs at the row and image edges, 16-bit and RGB layouts), and
 * frames built byte by byte here from the Annex's rules (G.2 header and segment order, G.3.1 PackBits with the
 * -128 no-op). The expected samples never come from the decoder under test: they are the uncompressed file, the
 * image dcmtk was given, or the plane written by hand.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readDicom } from '../../../src/formats/dicom';
import { decodeRleFrame } from '../../../src/formats/dicom/rle';
import { REFERENCE_DATA } from '../../helpers/reference-data';
import { tmpDir } from '../../helpers/tmp';
import type { FixtureCase } from './helpers/fixtures';
import { dcmtk, hasDcmtk, writeNative } from './helpers/fixtures';

/** An RLE frame from its segments (G.2: header of segment count and 15 offsets, segments after byte 64). */
function frameOf(segments: readonly (readonly number[])[]): Uint8Array {
  const header = Buffer.alloc(64);
  header.writeUInt32LE(segments.length, 0);
  let at = 64;
  segments.forEach((s, i) => {
    header.writeUInt32LE(at, 4 + 4 * i);
    at += s.length;
  });
  return new Uint8Array(Buffer.concat([header, ...segments.map((s) => Buffer.from(s))]));
}

/**
 * PackBits (G.3.1), written independently of the decoder: runs of 2+ equal bytes are replicate runs (header
 * 257 - n, at most 128), the rest literal runs (header n - 1, at most 128); an odd-length segment gets a pad byte.
 */
function packBits(plane: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < plane.length) {
    let run = 1;
    while (i + run < plane.length && run < 128 && plane[i + run] === plane[i]) {
      run++;
    }
    if (run >= 2) {
      out.push(257 - run, plane[i] ?? 0);
      i += run;
      continue;
    }
    let lit = 1;
    while (i + lit < plane.length && lit < 128 && !(i + lit + 1 < plane.length && plane[i + lit] === plane[i + lit + 1])) {
      lit++;
    }
    out.push(lit - 1, ...plane.slice(i, i + lit));
    i += lit;
  }
  if (out.length % 2 === 1) {
    out.push(0);
  }
  return out;
}

function bytes(a: Uint8Array): number[] {
  return [...a];
}

describe('formats/dicom/rle: decodeRleFrame (PS3.5 Annex G)', () => {
  describe('real RLE files (pydicom test data) against their uncompressed twins', () => {
    const dir = path.join(REFERENCE_DATA, 'dicom');

    it('MR_small_RLE.dcm decodes to the samples of MR_small.dcm (16-bit signed, 2 segments)', () => {
      const rle = readDicom(fs.readFileSync(path.join(dir, 'MR_small_RLE.dcm')), 'MR_small_RLE.dcm');
      const raw = readDicom(fs.readFileSync(path.join(dir, 'MR_small.dcm')), 'MR_small.dcm');
      assert.equal(rle.transferSyntaxUID, '1.2.840.10008.1.2.5');
      const p = rle.pixel;
      assert.ok(p !== undefined);
      assert.deepEqual([p.rows, p.columns, p.bitsAllocated, p.samplesPerPixel, p.frames], [64, 64, 16, 1, 1]);
      const got = decodeRleFrame(rle.storedFrames[0] ?? new Uint8Array(), p.rows, p.columns, p.bitsAllocated, p.samplesPerPixel);
      assert.ok(Buffer.from(got).equals(Buffer.from(raw.storedFrames[0] ?? new Uint8Array())));
    });

    it('emri_small_RLE.dcm decodes every frame to the samples of emri_small.dcm', () => {
      const rle = readDicom(fs.readFileSync(path.join(dir, 'emri_small_RLE.dcm')), 'emri_small_RLE.dcm');
      const raw = readDicom(fs.readFileSync(path.join(dir, 'emri_small.dcm')), 'emri_small.dcm');
      const p = rle.pixel;
      assert.ok(p !== undefined);
      assert.equal(rle.storedFrames.length, p.frames);
      assert.ok(p.frames > 1);
      rle.storedFrames.forEach((frame, f) => {
        const got = decodeRleFrame(frame, p.rows, p.columns, p.bitsAllocated, p.samplesPerPixel);
        assert.ok(Buffer.from(got).equals(Buffer.from(raw.storedFrames[f] ?? new Uint8Array())), `frame ${String(f + 1)}`);
      });
    });
  });

  describe('frames written by dcmtk (dcmcrle) from images that exercise the edges', function () {
    this.timeout(60_000);
    let dir = '';
    before(function () {
      if (!hasDcmtk()) {
        console.log('    (skipped: dcmtk is not installed — apt-get install dcmtk; CI installs it)');
        this.skip();
      }
      dir = tmpDir('rle-dcmcrle');
    });
    after(() => {
      if (dir !== '') {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    /** Encodes `raw` (one frame, little-endian samples, interleaved) with dcmcrle and decodes the frame. */
    function roundTrip(c: FixtureCase, raw: Buffer): { decoded: Uint8Array; frame: Uint8Array } {
      const src = writeNative(dir, c, raw);
      const out = path.join(dir, `${c.name}.rle.dcm`);
      dcmtk('dcmcrle', src, out);
      const inst = readDicom(fs.readFileSync(out), out);
      assert.equal(inst.transferSyntaxUID, '1.2.840.10008.1.2.5');
      const frame = inst.storedFrames[0] ?? new Uint8Array();
      return { decoded: decodeRleFrame(frame, c.rows, c.columns, c.bitsAllocated, c.samples), frame };
    }

    it('8-bit, odd width and height (odd segment, padded): flat rows (replicate runs > 128), noise rows (literal runs > 128), edge pixels', () => {
      const c: FixtureCase = { name: 'edges8', rows: 7, columns: 301, frames: 1, bitsAllocated: 8, bitsStored: 8, signed: false, samples: 1 };
      const raw = Buffer.alloc(c.rows * c.columns);
      for (let y = 0; y < c.rows; y++) {
        for (let x = 0; x < c.columns; x++) {
          // Row 0 flat, row 1 pseudo-random, row 2 flat with one different pixel at each end, then mixtures.
          const noise = (x * 97 + y * 31 + ((x * x) % 7)) % 256;
          raw[y * c.columns + x] = y === 0 ? 200 : y === 1 ? noise : y === 2 ? (x === 0 || x === c.columns - 1 ? 1 : 9) : x % (y * 40) < y * 20 ? 50 : noise;
        }
      }
      const { decoded, frame } = roundTrip(c, raw);
      assert.equal(new DataView(frame.buffer, frame.byteOffset).getUint32(0, true), 1);
      assert.ok(Buffer.from(decoded).equals(raw));
    });

    it('16-bit signed (2 segments, MSB first) with values at both ends of the range', () => {
      const c: FixtureCase = { name: 'edges16', rows: 5, columns: 33, frames: 1, bitsAllocated: 16, bitsStored: 16, signed: true, samples: 1 };
      const raw = Buffer.alloc(c.rows * c.columns * 2);
      for (let i = 0; i < c.rows * c.columns; i++) {
        raw.writeInt16LE(i < 40 ? -32768 : i < 80 ? 32767 : i % 3 === 0 ? -1 : ((i * 523) % 65536) - 32768, i * 2);
      }
      const { decoded, frame } = roundTrip(c, raw);
      assert.equal(new DataView(frame.buffer, frame.byteOffset).getUint32(0, true), 2);
      assert.ok(Buffer.from(decoded).equals(raw));
    });

    it('16-bit RGB (6 segments) comes back interleaved', () => {
      const c: FixtureCase = { name: 'rgb16edges', rows: 3, columns: 9, frames: 1, bitsAllocated: 16, bitsStored: 16, signed: false, samples: 3, planar: 0 };
      const raw = Buffer.alloc(c.rows * c.columns * 6);
      for (let i = 0; i < c.rows * c.columns * 3; i++) {
        raw.writeUInt16LE(i % 3 === 0 ? 0xffff : i % 3 === 1 ? (i * 4099) % 65536 : 0x0100, i * 2);
      }
      const { decoded, frame } = roundTrip(c, raw);
      assert.equal(new DataView(frame.buffer, frame.byteOffset).getUint32(0, true), 6);
      assert.ok(Buffer.from(decoded).equals(raw));
    });
  });

  describe('frames built byte by byte from the Annex', () => {
    it('replicate and literal runs at both edges, the -128 no-op, and a pad byte after an odd segment', () => {
      // 3×5, 0x80 no-op, literal 1 2 3, 2×9, then the pad byte (segment of 9 bytes → 10).
      const frame = frameOf([[0xfe, 5, 0x80, 0x02, 1, 2, 3, 0xff, 9, 0x00]]);
      assert.deepEqual(bytes(decodeRleFrame(frame, 1, 8, 8, 1)), [5, 5, 5, 1, 2, 3, 9, 9]);
      // A one-byte literal run at each edge.
      assert.deepEqual(bytes(decodeRleFrame(frameOf([[0x00, 7, 0xfd, 4, 0x00, 8]]), 1, 6, 8, 1)), [7, 4, 4, 4, 4, 8]);
    });

    it('the longest runs: a 128-byte literal run (header 127) and a 128-byte replicate run (header 129)', () => {
      const literal = Array.from({ length: 128 }, (_, i) => (i * 7 + 1) % 256);
      const frame = frameOf([[127, ...literal, 129, 42]]);
      assert.deepEqual(bytes(decodeRleFrame(frame, 2, 128, 8, 1)), [...literal, ...Array.from({ length: 128 }, () => 42)]);
    });

    it('16-bit: segment 1 holds the most significant bytes, the output is little endian', () => {
      const frame = frameOf([
        [0x02, 0x12, 0xab, 0x00, 0x00],
        [0x02, 0x34, 0xcd, 0xff, 0x00],
      ]);
      assert.deepEqual(bytes(decodeRleFrame(frame, 1, 3, 16, 1)), [0x34, 0x12, 0xcd, 0xab, 0xff, 0x00]);
    });

    it('32-bit: four segments, most significant first', () => {
      const frame = frameOf([
        [0xff, 0x01],
        [0xff, 0x02],
        [0xff, 0x03],
        [0x01, 0x04, 0x05],
      ]);
      assert.deepEqual(bytes(decodeRleFrame(frame, 1, 2, 32, 1)), [0x04, 0x03, 0x02, 0x01, 0x05, 0x03, 0x02, 0x01]);
    });

    it('8-bit RGB: one segment per colour, interleaved in the output', () => {
      const frame = frameOf([
        [0xfe, 10, 0x00],
        [0x02, 20, 21, 22, 0x00],
        [0xfe, 30, 0x00],
      ]);
      assert.deepEqual(bytes(decodeRleFrame(frame, 1, 3, 8, 3)), [10, 20, 30, 10, 21, 30, 10, 22, 30]);
    });

    it('agrees with an independent PackBits encoder on random planes of every layout', () => {
      let seed = 12345;
      const next = (): number => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed >>> 16;
      };
      for (const [bits, samples] of [
        [8, 1],
        [16, 1],
        [8, 3],
        [16, 3],
        [32, 1],
      ] as const) {
        const rows = 1 + (next() % 9);
        const columns = 1 + (next() % 300);
        const pixels = rows * columns;
        const bps = bits / 8;
        // Runs of repeated values of random length, so both run kinds and every length occur.
        const expected = new Uint8Array(pixels * samples * bps);
        let v = 0;
        for (let i = 0; i < expected.length; i++) {
          if (next() % 4 === 0) {
            v = next() % 256;
          }
          expected[i] = next() % 3 === 0 ? next() % 256 : v;
        }
        const segments: number[][] = [];
        for (let s = 0; s < samples; s++) {
          for (let b = bps - 1; b >= 0; b--) {
            segments.push(packBits(Array.from({ length: pixels }, (_, p) => expected[(p * samples + s) * bps + b] ?? 0)));
          }
        }
        const got = decodeRleFrame(frameOf(segments), rows, columns, bits, samples);
        assert.ok(Buffer.from(got).equals(Buffer.from(expected)), `${String(bits)}-bit × ${String(samples)}, ${String(rows)}×${String(columns)}`);
      }
    });
  });

  describe('broken frames get a clear invalid-input error', () => {
    it('a frame shorter than the 64-byte header', () => {
      assert.throws(() => decodeRleFrame(new Uint8Array(10), 1, 1, 8, 1), { code: 'invalid-input', message: /fewer than the 64-byte RLE header/ });
    });

    it('a header whose segment count does not match the pixel layout', () => {
      assert.throws(() => decodeRleFrame(frameOf([[0xff, 1]]), 1, 2, 16, 1), { code: 'invalid-input', message: /lists 1 segments; 2 expected for 16-bit, 1-sample/ });
    });

    it('a segment that ends before its plane is full (truncated pixel data)', () => {
      assert.throws(() => decodeRleFrame(frameOf([[0xfe, 5]]), 1, 8, 8, 1), { code: 'invalid-input', message: /ended after 3 of 8 bytes; the pixel data is truncated/ });
    });

    // Once a bug: the literal branch advanced by the run's length even when fewer bytes were left to copy, and the plane
    // buffer is reused across segments, so this frame decoded to [0x34, 0x12, 0xab, 0xab, 0x00, 0x00] (segment 1's bytes).
    it('a truncated literal run in the last segment is an error, not bytes left over from the previous segment', () => {
      // Segment 2 promises 3 literal bytes and the frame ends after 1.
      const frame = frameOf([
        [0x02, 0x12, 0xab, 0x00, 0x00],
        [0x02, 0x34],
      ]);
      assert.throws(() => decodeRleFrame(frame, 1, 3, 16, 1), { code: 'invalid-input', message: /literal run of 3 bytes .* only 1 left in its segment; the pixel data is truncated/ });
    });

    // Once a bug: `out.set(...)` past the plane threw a bare `RangeError: offset is out of bounds`.
    it('a literal run longer than what is left of the plane is an error naming the frame, not a RangeError', () => {
      assert.throws(() => decodeRleFrame(frameOf([[0x05, 1, 2, 3, 4, 5, 6]]), 1, 4, 8, 1), { code: 'invalid-input', message: /literal run of 6 bytes .* overruns its plane \(4 bytes left\)/ });
    });
  });
});
