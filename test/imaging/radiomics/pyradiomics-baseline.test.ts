import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { readNrrd } from '../../../src/imaging/nrrd';
import type { NrrdVolume } from '../../../src/imaging/nrrd';
import { computeRadiomics, discretiseRoi, DIRECTIONS_3D, glcmMatrix, gldmMatrix, glrlmMatrix, glszmMatrix, ngtdmMatrix } from '../../../src/imaging/radiomics';
import type { FeatureFamily, RadiomicsSettings, SizeMatrix } from '../../../src/imaging/radiomics';
import { parseCsv } from '../helpers/csv';
import { readNpy } from '../helpers/npy';
import { REFERENCE_DATA } from '../../helpers/reference-data';

const ROOT = path.join(REFERENCE_DATA, 'pyradiomics');
const DATA = path.join(ROOT, 'data');

const volumes = new Map<string, NrrdVolume>();
function load(file: string): NrrdVolume {
  let v = volumes.get(file);
  if (v === undefined) {
    v = readNrrd(fs.readFileSync(path.join(DATA, file)), file);
    volumes.set(file, v);
  }
  return v;
}

/** pyradiomics' settings of one baseline column, in our option names. */
function toSettings(s: Record<string, unknown>, family: FeatureFamily): RadiomicsSettings {
  const num = (k: string): number | undefined => {
    const v = s[k];
    return typeof v === 'number' ? v : undefined;
  };
  const range = Array.isArray(s.resegmentRange) ? (s.resegmentRange as number[]) : undefined;
  const binCount = num('binCount');
  return {
    families: [family],
    ...(binCount !== undefined ? { binCount } : { binWidth: num('binWidth') ?? 25 }),
    voxelArrayShift: num('voxelArrayShift') ?? 0,
    label: num('label') ?? 1,
    gldmA: num('gldm_a') ?? 0,
    force2D: s.force2D === true,
    force2Ddimension: (num('force2Ddimension') ?? 0) as 0 | 1 | 2,
    ...(range !== undefined ? { resegmentRange: range, resegmentMode: (typeof s.resegmentMode === 'string' ? s.resegmentMode : 'absolute') as 'absolute' | 'relative' | 'sigma' } : {}),
    ...(s.weightingNorm === 'no_weighting' ? { weightingNorm: 'no_weighting' as const } : {}),
  };
}

/** Why a baseline column is not compared (undefined = compared). */
function exclusion(row: Record<string, string>, s: Record<string, unknown>): string | undefined {
  if (row.image_available !== 'yes') {
    return 'image not in the reference snapshot (lung images > 4 MiB)';
  }
  if (row.baseline_file === 'baseline_shape2D.csv') {
    return 'shape2D needs the single-slice 2-D label maps, not in the snapshot';
  }
  if (s.resampledPixelSpacing !== null && s.resampledPixelSpacing !== undefined) {
    return 'B-spline resampling (not implemented)';
  }
  if (s.normalize === true) {
    return 'intensity normalisation (not implemented)';
  }
  return undefined;
}

describe('radiomics: NRRD reader', () => {
  const header = (enc: string, extra = ''): string =>
    `NRRD0004\n# comment\ntype: short\ndimension: 3\nspace: left-posterior-superior\nsizes: 3 2 2\nspace directions: (0.5,0,0) (0,-0.5,0) (0,0,2)\nkinds: domain domain domain\n${extra}encoding: ${enc}\nspace origin: (1,2,3)\n\n`;
  const samples = Int16Array.from({ length: 12 }, (_, i) => i * 100 - 300);
  const le = Buffer.from(samples.buffer);

  it('reads pyradiomics brain1: 256×256×25 shorts, gzip, LPS directions with a flipped y axis', () => {
    const v = load('brain1_image.nrrd');
    assert.deepEqual(v.size, [256, 256, 25]);
    assert.ok(Math.abs(v.spacingMm[0] - 0.78125) < 1e-12 && Math.abs(v.spacingMm[2] - 6.5) < 1e-12);
    assert.deepEqual(
      v.direction.map((d) => Math.round(d)),
      [1, 0, 0, 0, -1, 0, 0, 0, 1],
    );
    assert.ok(Math.abs(v.originMm[0] - -99.609375) < 1e-9);
    assert.equal(v.space, 'left-posterior-superior');
    let max = -Infinity;
    for (const x of v.voxels) {
      max = Math.max(max, x);
    }
    assert.equal(max, 3057); // diagnostics_Image-original_Maximum in the baseline
  });

  it('reads raw and gzip encodings, little and big endian, identically', () => {
    const raw = readNrrd(Buffer.concat([Buffer.from(header('raw', 'endian: little\n')), le]));
    const gz = readNrrd(Buffer.concat([Buffer.from(header('gzip', 'endian: little\n')), zlib.gzipSync(le)]));
    const be = Buffer.from(le);
    be.swap16();
    const big = readNrrd(Buffer.concat([Buffer.from(header('raw', 'endian: big\n')), be]));
    for (const v of [raw, gz, big]) {
      assert.deepEqual(Array.from(v.voxels), Array.from(samples));
      assert.deepEqual(v.spacingMm, [0.5, 0.5, 2]);
      assert.deepEqual(v.originMm, [1, 2, 3]);
    }
  });

  it('rejects a non-NRRD file, a truncated payload, detached data and unknown encodings with typed errors', () => {
    assert.throws(() => readNrrd(Buffer.from('P5 not nrrd')), { code: 'invalid-input' });
    assert.throws(() => readNrrd(Buffer.concat([Buffer.from(header('raw')), le.subarray(0, 10)])), /truncated/);
    assert.throws(() => readNrrd(Buffer.from(header('raw', 'data file: x.raw\n'))), { code: 'unsupported' });
    assert.throws(() => readNrrd(Buffer.concat([Buffer.from(header('bzip2')), le])), { code: 'unsupported' });
  });
});

describe('radiomics: pyradiomics baselines (brain1, brain2, breast1)', function () {
  this.timeout(120000);
  const columns = parseCsv(fs.readFileSync(path.join(ROOT, 'baseline_settings_by_column.csv'), 'utf8'));
  const baselines = new Map<string, Record<string, string>[]>();
  const baseline = (file: string): Record<string, string>[] => {
    let rows = baselines.get(file);
    if (rows === undefined) {
      rows = parseCsv(fs.readFileSync(path.join(DATA, 'baseline', file), 'utf8'));
      baselines.set(file, rows);
    }
    return rows;
  };
  let compared = 0;
  let within3 = 0;
  let within1e6 = 0;
  const excluded = new Map<string, number>();
  const tested: string[] = [];

  for (const row of columns) {
    const s = JSON.parse(row.settings_json ?? '{}') as Record<string, unknown>;
    const why = exclusion(row, s);
    if (why !== undefined) {
      excluded.set(why, (excluded.get(why) ?? 0) + 1);
      continue;
    }
    const family = (row.baseline_file ?? '').replace(/^baseline_|\.csv$/g, '') as FeatureFamily;
    const column = row.column ?? '';
    tested.push(`${family}:${column}`);
    it(`${family} ${column} within 3% of pyradiomics`, () => {
      const image = load(`${row.test_case ?? ''}_image.nrrd`);
      const mask = load(`${row.test_case ?? ''}_label.nrrd`);
      const ours = computeRadiomics(image, mask.voxels, toSettings(s, family));
      const failures: string[] = [];
      let n = 0;
      for (const r of baseline(row.baseline_file ?? '')) {
        const name = r.featureName ?? '';
        if (!name.startsWith('original_')) {
          continue;
        }
        n++;
        const ref = Number(r[column]);
        const got = ours[name];
        compared++;
        if (got === undefined) {
          failures.push(`${name} missing`);
          continue;
        }
        // pyradiomics' checkResult: relative difference, 0 vs 0 is 0 %, x vs 0 is 100 %
        const diff = ref === 0 ? (got === 0 ? 0 : 1) : Math.abs(1 - got / ref);
        if (diff < 0.03) {
          within3++;
        } else {
          failures.push(`${name}: ${String(got)} vs ${String(ref)} (${(diff * 100).toFixed(2)} %)`);
        }
        if (Math.abs(got - ref) <= 1e-6 * Math.max(1, Math.abs(ref))) {
          within1e6++;
        }
      }
      assert.equal(n, Number(row.n_features), 'feature rows in the baseline');
      assert.deepEqual(failures, []);
    });
  }

  it('compares every column that needs no resampling or normalisation (and only those)', () => {
    assert.equal(tested.length, 90); // 30 family×column pairs for each of brain1, brain2, breast1
    for (const c of ['brain1', 'brain1_2d', 'brain1_FBN', 'brain1_flatRegion', 'brain1_combined', 'brain1_resegmentation', 'breast1_2d', 'brain2_FBN']) {
      assert.ok(
        tested.some((t) => t.endsWith(`:${c}`)),
        c,
      );
    }
  });

  after(() => {
    console.log(`      pyradiomics baseline features: ${String(within3)} of ${String(compared)} within 3 %, ${String(within1e6)} equal to 1e-6 (${String(tested.length)} family×column pairs)`);
    for (const [why, n] of excluded) {
      console.log(`      excluded ${String(n)} columns: ${why}`);
    }
  });
});

describe('radiomics: pyradiomics baseline texture matrices (.npy, binWidth 25, 3-D)', function () {
  this.timeout(60000);
  /** Columns of a size matrix that hold any count (pyradiomics deletes the empty ones). */
  const nonEmpty = (m: SizeMatrix): number[][] => {
    const k = m.levels.length;
    const cols: number[][] = [];
    for (let j = 0; j < m.sizes; j++) {
      const col = Array.from({ length: k }, (_, i) => m.counts[i * m.sizes + j] ?? 0);
      if (col.some((v) => v !== 0)) {
        cols.push(col);
      }
    }
    return cols;
  };
  const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
    assert.equal(a.length, b.length);
    let d = 0;
    for (let i = 0; i < a.length; i++) {
      d = Math.max(d, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
    }
    return d;
  };

  for (const c of ['brain1', 'brain2', 'breast1']) {
    it(`${c}: GLCM, GLRLM, GLSZM, GLDM and NGTDM equal pyradiomics' matrices within 1e-3`, () => {
      const roi = discretiseRoi(load(`${c}_image.nrrd`), load(`${c}_label.nrrd`).voxels, { binWidth: 25 });
      const k = roi.present.length;
      const npy = (fam: string): ReturnType<typeof readNpy> => readNpy(fs.readFileSync(path.join(DATA, 'baseline', `${c}_${fam}.npy`)));
      // pyradiomics' 13 angles (z, y, x) run in the reverse order of DIRECTIONS_3D
      const glcm = npy('glcm');
      assert.deepEqual(glcm.shape, [k, k, 13]);
      DIRECTIONS_3D.forEach((d, o) => {
        const a = 12 - o;
        const m = glcmMatrix(roi, d);
        const total = m.reduce((x, y) => x + y, 0);
        const ref = Array.from({ length: k * k }, (_, i) => glcm.data[i * 13 + a] ?? 0);
        assert.ok(
          maxDiff(
            m.map((v) => v / total),
            ref,
          ) < 1e-3,
          `GLCM direction ${d.join(',')}`,
        );
      });
      // The .npy run-length axis has 7 columns in all three cases, longer runs counted in the last one (the older
      // pyradiomics that wrote the .npy files): compare shorter runs exactly and the last column as "at least 7 long".
      const glrlm = npy('glrlm');
      const [, nr = 0] = glrlm.shape;
      assert.equal(nr, 7);
      DIRECTIONS_3D.forEach((d, o) => {
        const a = 12 - o;
        const m = glrlmMatrix(roi, d);
        const ours = new Float64Array(k * nr);
        for (let i = 0; i < k; i++) {
          for (let j = 0; j < m.sizes; j++) {
            ours[i * nr + Math.min(j, nr - 1)] = (ours[i * nr + Math.min(j, nr - 1)] ?? 0) + (m.counts[i * m.sizes + j] ?? 0);
          }
        }
        const ref = Array.from({ length: k * nr }, (_, i) => glrlm.data[i * 13 + a] ?? 0);
        assert.ok(maxDiff(ours, ref) < 1e-3, `GLRLM direction ${d.join(',')}`);
      });
      for (const [fam, m] of [
        ['glszm', glszmMatrix(roi)],
        ['gldm', gldmMatrix(roi)],
      ] as const) {
        const ref = npy(fam);
        const cols = nonEmpty(m);
        assert.deepEqual(ref.shape, [k, cols.length], fam);
        const ours = Array.from({ length: k * cols.length }, (_, x) => cols[x % cols.length]?.[Math.floor(x / cols.length)] ?? 0);
        assert.ok(maxDiff(ours, ref.data) < 1e-3, fam);
      }
      const ngtdm = npy('ngtdm');
      const nm = ngtdmMatrix(roi);
      assert.deepEqual(ngtdm.shape, [k, 3]);
      const ours = Array.from({ length: k }, (_, i) => [nm.n[i] ?? 0, nm.s[i] ?? 0, nm.levels[i] ?? 0]).flat();
      assert.ok(maxDiff(ours, ngtdm.data) < 1e-3, 'NGTDM (n_i, s_i, i)');
    });
  }
});
