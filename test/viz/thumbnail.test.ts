import * as assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { pngCrc32, encodeGreyPng, middleSliceOf, sliceThumbnail, thumbnailFigure, windowSlice } from '../../src/viz/thumbnail';

function readChunks(png: Buffer): { type: string; data: Buffer; crc: number }[] {
  const out = [];
  let o = 8;
  while (o < png.length) {
    const len = png.readUInt32BE(o);
    out.push({ type: png.toString('ascii', o + 4, o + 8), data: png.subarray(o + 8, o + 8 + len), crc: png.readUInt32BE(o + 8 + len) });
    o += 12 + len;
  }
  return out;
}

describe('PNG thumbnails', () => {
  it('crc32 matches zlib', function () {
    const z = zlib as unknown as { crc32?: (b: Uint8Array) => number };
    if (z.crc32 === undefined) {
      this.skip();
    }
    const data = Buffer.from('IHDR and some bytes \u00ff');
    assert.equal(pngCrc32(data), z.crc32(data));
  });
  it('encodes a valid greyscale PNG whose pixels inflate back exactly', () => {
    const w = 5;
    const h = 3;
    const grey = Uint8Array.from({ length: w * h }, (_, i) => i * 17);
    const png = encodeGreyPng(w, h, grey);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const chunks = readChunks(png);
    assert.deepEqual(chunks.map((c) => c.type), ['IHDR', 'IDAT', 'IEND']);
    for (const c of chunks) {
      assert.equal(c.crc, pngCrc32(Buffer.concat([Buffer.from(c.type, 'ascii'), c.data])));
    }
    const ihdr = chunks[0]!.data;
    assert.equal(ihdr.readUInt32BE(0), w);
    assert.equal(ihdr.readUInt32BE(4), h);
    assert.equal(ihdr[8], 8);
    assert.equal(ihdr[9], 0);
    const raw = zlib.inflateSync(chunks[1]!.data);
    for (let y = 0; y < h; y++) {
      assert.equal(raw[y * (w + 1)], 0);
      assert.deepEqual([...raw.subarray(y * (w + 1) + 1, (y + 1) * (w + 1))], [...grey.subarray(y * w, (y + 1) * w)]);
    }
    assert.throws(() => encodeGreyPng(2, 2, new Uint8Array(3)), /do not fill/);
  });
  it('windows 16-bit values to 8 bits and down-samples to the max size', () => {
    const pixels = Float64Array.from({ length: 256 * 128 }, (_, i) => (i % 256) * 16);
    const t = windowSlice({ width: 256, height: 128, pixels }, 64);
    assert.equal(t.width, 64);
    assert.equal(t.height, 32);
    assert.equal(t.grey[0], 0);
    assert.equal(t.grey[63], 255);
  });
  it('middle slice of a volume and a data-URI figure', () => {
    const vol = Uint16Array.from({ length: 2 * 2 * 3 }, (_, i) => Math.floor(i / 4));
    assert.deepEqual([...(middleSliceOf(vol, 2, 2, 3).pixels as Float64Array)], [1, 1, 1, 1]);
    const uri = sliceThumbnail({ width: 2, height: 2, pixels: [0, 100, 200, 300] });
    assert.match(uri, /^data:image\/png;base64,/);
    assert.equal(thumbnailFigure(uri).data[0]?.source, uri);
  });
});
