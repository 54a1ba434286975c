import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { encodePng, pngImgTag, slicePng } from '../../src/imaging/png';
import { sliceThumbnail } from '../../src/viz/thumbnail';

interface Chunk {
  readonly type: string;
  readonly data: Buffer;
  readonly crc: number;
}

/** Splits a PNG into chunks, checking the signature (ISO/IEC 15948 §5.2). */
function readChunks(png: Uint8Array): Chunk[] {
  const b = Buffer.from(png);
  assert.deepEqual([...b.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const out: Chunk[] = [];
  let o = 8;
  while (o < b.length) {
    const len = b.readUInt32BE(o);
    out.push({ type: b.toString('ascii', o + 4, o + 8), data: b.subarray(o + 8, o + 8 + len), crc: b.readUInt32BE(o + 8 + len) });
    o += 12 + len;
  }
  return out;
}

/** Decodes what encodePng writes (filter 0 only): width, height, colour type and the pixel bytes. */
function decode(png: Uint8Array): { width: number; height: number; colourType: number; pixels: Uint8Array } {
  const chunks = readChunks(png);
  assert.deepEqual(
    chunks.map((c) => c.type),
    ['IHDR', 'IDAT', 'IEND'],
  );
  for (const c of chunks) {
    // Independent check: the CRC of type + data, computed here bit by bit (not with the encoder's zlib.crc32).
    let crc = 0xffffffff;
    for (const byte of Buffer.concat([Buffer.from(c.type, 'ascii'), c.data])) {
      crc ^= byte;
      for (let k = 0; k < 8; k++) {
        crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
      }
    }
    assert.equal(c.crc, (crc ^ 0xffffffff) >>> 0, `${c.type} CRC`);
  }
  const ihdr = chunks[0]!.data;
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  assert.equal(ihdr[8], 8, 'bit depth');
  const colourType = ihdr[9]!;
  const channels = colourType === 2 ? 3 : 1;
  const raw = zlib.inflateSync(chunks[1]!.data);
  assert.equal(raw.length, (width * channels + 1) * height);
  const pixels = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    assert.equal(raw[y * (width * channels + 1)], 0, 'filter type 0');
    pixels.set(raw.subarray(y * (width * channels + 1) + 1, (y + 1) * (width * channels + 1)), y * width * channels);
  }
  return { width, height, colourType, pixels };
}

describe('imaging/png: the PNG encoder', () => {
  it('grey pixels inflate back exactly, with valid chunk CRCs', () => {
    const grey = Uint8Array.from({ length: 5 * 3 }, (_, i) => i * 17);
    const d = decode(encodePng(5, 3, grey, 'grey'));
    assert.deepEqual([d.width, d.height, d.colourType], [5, 3, 0]);
    assert.deepEqual([...d.pixels], [...grey]);
  });

  it('RGB pixels inflate back exactly', () => {
    const rgb = Uint8Array.from({ length: 4 * 2 * 3 }, (_, i) => (i * 37) % 256);
    const d = decode(encodePng(4, 2, rgb, 'rgb'));
    assert.deepEqual([d.width, d.height, d.colourType], [4, 2, 2]);
    assert.deepEqual([...d.pixels], [...rgb]);
  });

  it('refuses bytes that do not fill the image, naming the expected count', () => {
    assert.throws(
      () => encodePng(2, 2, new Uint8Array(3), 'grey'),
      (e: Error & { code?: string }) => e.code === 'invalid-input' && /width\*height\*1/.test(e.message),
    );
    assert.throws(() => encodePng(2, 2, new Uint8Array(4), 'rgb'), /do not fill 2×2 rgb/);
    assert.throws(() => encodePng(0, 2, new Uint8Array(0), 'grey'), /do not fill/);
  });

  it('slicePng windows a slice to grey levels and outlines a mask in red', () => {
    const size: [number, number, number] = [6, 5, 3];
    const voxels = Float32Array.from({ length: 6 * 5 * 3 }, (_, i) => i % 30);
    const mask = new Uint8Array(voxels.length);
    // a 2×2 square on slice 1: every mask voxel touches the outside, so all four are outline
    for (const [x, y] of [
      [2, 2],
      [3, 2],
      [2, 3],
      [3, 3],
    ] as const) {
      mask[30 + y * 6 + x] = 1;
    }
    const plain = decode(slicePng({ voxels, size }, 1));
    assert.deepEqual([plain.width, plain.height, plain.colourType], [6, 5, 2]);
    for (let i = 0; i < 30; i++) {
      assert.equal(plain.pixels[3 * i], plain.pixels[3 * i + 1], 'grey: R = G');
    }
    assert.equal(plain.pixels[0], 0, 'the lowest value is black');
    const outlined = decode(slicePng({ voxels, size }, 1, mask));
    const px = (x: number, y: number): number[] => [...outlined.pixels.subarray(3 * (y * 6 + x), 3 * (y * 6 + x) + 3)];
    assert.deepEqual(px(2, 2), [255, 40, 40]);
    assert.deepEqual(px(3, 3), [255, 40, 40]);
    assert.equal(px(0, 0)[0], px(0, 0)[1], 'outside the mask stays grey');
    assert.throws(() => slicePng({ voxels, size }, 3), /outside 0…2/);
  });

  it('pngImgTag scales by the PNG width and escapes the alt text', () => {
    const tag = pngImgTag(encodePng(7, 1, new Uint8Array(7), 'grey'), 'a "quoted" <b>slice</b> & more', 2);
    assert.match(tag, /^<img alt="a &quot;quoted&quot; &lt;b&gt;slice&lt;\/b&gt; &amp; more" width="14" /);
    assert.match(tag, /src="data:image\/png;base64,iVBORw0KGgo/);
  });

  it('the dashboard thumbnails use the same encoder', () => {
    const uri = sliceThumbnail({ width: 2, height: 2, pixels: Float64Array.of(0, 1, 2, 3) });
    const d = decode(Buffer.from(uri.replace(/^data:image\/png;base64,/, ''), 'base64'));
    assert.deepEqual([d.width, d.height, d.colourType], [2, 2, 0]);
  });
});
