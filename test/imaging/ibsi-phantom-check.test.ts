import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { IBSI_REFERENCE_DIR, ibsiPhantomCheck, ibsiTolerance, parseCsvRecords } from '../../src/imaging/ibsi-phantom';

describe('ibsiPhantomCheck (notebook 04)', () => {
  it('compares every mapped feature of the phantom with IBSI, and all agree within tolerance', () => {
    const rows = ibsiPhantomCheck();
    const mapped = parseCsvRecords(fs.readFileSync(path.join(IBSI_REFERENCE_DIR, 'pyradiomics_ibsi_feature_map.csv'), 'utf8')).filter((r) => (r.ibsi_digital_phantom_value ?? '') !== '');
    assert.equal(rows.length, mapped.length);
    assert.ok(rows.length >= 80, `only ${String(rows.length)} features compared`);
    const off = rows.filter((r) => !r.ok).map((r) => `${r.feature}: ${String(r.value)} vs ${String(r.reference)}`);
    assert.deepEqual(off, []);
    const volume = rows.find((r) => r.feature === 'original_shape_VoxelVolume');
    assert.equal(volume?.reference, 592);
    assert.equal(volume.value, 592);
  });

  it('tolerance is the given one, else half a unit of the third significant digit', () => {
    assert.equal(ibsiTolerance(556, '4'), 4);
    assert.ok(Math.abs(ibsiTolerance(0.698, '') - 0.0005) < 1e-9);
  });

  it('names the missing file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmh-ibsi-'));
    assert.throws(
      () => ibsiPhantomCheck(dir),
      (e: Error & { code?: string }) => e.code === 'not-found' && e.message.includes('phantom.nii.gz'),
    );
    fs.rmSync(dir, { recursive: true });
  });

  it('parses quoted CSV cells', () => {
    assert.deepEqual(parseCsvRecords('a,b\n"x, y","say ""hi"""\r\n'), [{ a: 'x, y', b: 'say "hi"' }]);
  });
});
