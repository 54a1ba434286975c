import * as assert from 'node:assert/strict';
import { middleSliceOf, sliceThumbnail, thumbnailFigure, windowSlice } from '../../src/viz/thumbnail';

describe('PNG thumbnails', () => {
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
