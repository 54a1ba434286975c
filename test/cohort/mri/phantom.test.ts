import assert from 'node:assert/strict';
import { MRI_FOV_MM, MRI_LABEL, MRI_MAX_PIXEL, MRI_NOISE_SIGMA, countMriLabels, synthesizeBrainVolume } from '../../../src/cohort/mri/index';
import type { BrainVolume, MriEffects } from '../../../src/cohort/mri/index';

const NONE: MriEffects = { atrophy: 0, ventricleEnlargement: 0, infarcts: 0, wmhLoad: 0, microbleeds: 0 };
const SMALL = [96, 96, 48] as const;

function vol(effects: Partial<MriEffects>, seed = 11, size: readonly [number, number, number] = SMALL): BrainVolume {
  return synthesizeBrainVolume({ seed, size, effects: { ...NONE, ...effects } });
}

function count(v: BrainVolume, label: number): number {
  let n = 0;
  for (const l of v.labels) {
    if (l === label) {
      n++;
    }
  }
  return n;
}

function meanWhere(v: BrainVolume, pred: (label: number, i: number) => boolean): number {
  let sum = 0;
  let n = 0;
  v.labels.forEach((l, i) => {
    if (pred(l, i)) {
      sum += v.voxels[i]!;
      n++;
    }
  });
  assert.ok(n > 0, 'meanWhere: no voxel matched');
  return sum / n;
}

/** Voxels (by index) whose label differs between two volumes of the same size. */
function changed(a: BrainVolume, b: BrainVolume): number[] {
  const out: number[] = [];
  for (let i = 0; i < a.labels.length; i++) {
    if (a.labels[i] !== b.labels[i]) {
      out.push(i);
    }
  }
  return out;
}

/** Number of 26-connected components of one label. */
function components(v: BrainVolume, label: number): number {
  const [nx, ny, nz] = v.size;
  const seen = new Uint8Array(v.labels.length);
  let n = 0;
  for (let start = 0; start < v.labels.length; start++) {
    if (v.labels[start] !== label || seen[start] === 1) {
      continue;
    }
    n++;
    const stack = [start];
    seen[start] = 1;
    while (stack.length > 0) {
      const idx = stack.pop()!;
      const i = idx % nx;
      const j = Math.floor(idx / nx) % ny;
      const k = Math.floor(idx / (nx * ny));
      for (let dk = -1; dk <= 1; dk++) {
        for (let dj = -1; dj <= 1; dj++) {
          for (let di = -1; di <= 1; di++) {
            const a = i + di;
            const b = j + dj;
            const c = k + dk;
            if (a < 0 || b < 0 || c < 0 || a >= nx || b >= ny || c >= nz) {
              continue;
            }
            const nIdx = a + nx * (b + ny * c);
            if (v.labels[nIdx] === label && seen[nIdx] === 0) {
              seen[nIdx] = 1;
              stack.push(nIdx);
            }
          }
        }
      }
    }
  }
  return n;
}

describe('cohort/mri phantom', () => {
  const base = vol({});

  it('is deterministic: same spec, identical voxels and labels; another seed differs', () => {
    const again = vol({});
    assert.deepEqual(again.voxels, base.voxels);
    assert.deepEqual(again.labels, base.labels);
    const other = vol({}, 12);
    assert.notDeepEqual(other.voxels, base.voxels);
  });

  it('has the documented geometry: fixed field of view, centred origin, x fastest', () => {
    assert.deepEqual(base.size, [96, 96, 48]);
    assert.deepEqual(base.spacingMm, [MRI_FOV_MM[0] / 96, MRI_FOV_MM[1] / 96, 3.333333]); // rounded to 6 decimals for DICOM DS
    assert.equal(base.originMm[0], (-(96 - 1) / 2) * base.spacingMm[0]);
    assert.equal(base.voxels.length, 96 * 96 * 48);
    assert.equal(base.labels.length, base.voxels.length);
    // The head is wider front-to-back (y) than side-to-side (x): check the extent of non-background labels on the middle slice.
    const k = 24;
    let minI = 96;
    let maxI = -1;
    let minJ = 96;
    let maxJ = -1;
    for (let j = 0; j < 96; j++) {
      for (let i = 0; i < 96; i++) {
        if (base.labels[i + 96 * (j + 96 * k)] !== 0) {
          minI = Math.min(minI, i);
          maxI = Math.max(maxI, i);
          minJ = Math.min(minJ, j);
          maxJ = Math.max(maxJ, j);
        }
      }
    }
    assert.ok(maxJ - minJ > maxI - minI, `AP extent ${maxJ - minJ} should exceed LR extent ${maxI - minI}`);
  });

  it('has every healthy compartment, no lesion labels without effects, and 12-bit values', () => {
    const c = countMriLabels(base);
    for (const name of ['background', 'skull', 'csf', 'greyMatter', 'whiteMatter'] as const) {
      assert.ok(c.voxels[name] > 1000, `${name} has ${c.voxels[name]} voxels`);
    }
    for (const name of ['infarct', 'wmh', 'microbleed'] as const) {
      assert.equal(c.voxels[name], 0, name);
    }
    assert.ok(base.ventricleVoxels > 100);
    assert.ok(c.brainMl > 700 && c.brainMl < 1600, `brain volume ${c.brainMl.toFixed(0)} mL should be adult-like`);
    assert.ok(base.voxels.every((v) => v <= MRI_MAX_PIXEL));
    assert.ok(base.labels.every((l) => l <= 7));
  });

  it('has a FLAIR-like contrast: GM > WM > CSF, Rician noise floor in air', () => {
    const gm = meanWhere(base, (l) => l === MRI_LABEL.greyMatter);
    const wm = meanWhere(base, (l) => l === MRI_LABEL.whiteMatter);
    const csf = meanWhere(base, (l) => l === MRI_LABEL.csf);
    const air = meanWhere(base, (l) => l === MRI_LABEL.background);
    assert.ok(gm > wm * 1.1, `GM ${gm} vs WM ${wm}`);
    assert.ok(wm > csf * 4, `WM ${wm} vs CSF ${csf}`);
    // Rayleigh mean σ·√(π/2) ≈ 25 for σ = 20.
    const rayleigh = MRI_NOISE_SIGMA * Math.sqrt(Math.PI / 2);
    assert.ok(Math.abs(air - rayleigh) < 2, `air mean ${air} should be near the Rayleigh mean ${rayleigh}`);
    // Noise and bias: white matter is not one flat value.
    const wmValues = new Set<number>();
    base.labels.forEach((l, i) => l === MRI_LABEL.whiteMatter && wmValues.add(base.voxels[i]!));
    assert.ok(wmValues.size > 50);
  });

  it('atrophy shrinks the brain, thins the cortex and widens the sulci, monotonically', () => {
    const mid = vol({ atrophy: 0.5 });
    const full = vol({ atrophy: 1 });
    const [c0, c1, c2] = [base, mid, full].map((v) => countMriLabels(v)) as [ReturnType<typeof countMriLabels>, ReturnType<typeof countMriLabels>, ReturnType<typeof countMriLabels>];
    assert.ok(c0.brainMl > c1.brainMl && c1.brainMl > c2.brainMl, `brain mL ${c0.brainMl} > ${c1.brainMl} > ${c2.brainMl}`);
    assert.ok(c2.brainMl < 0.9 * c0.brainMl, 'full atrophy loses more than 10 % of the brain');
    assert.ok(c0.voxels.greyMatter > c1.voxels.greyMatter && c1.voxels.greyMatter > c2.voxels.greyMatter, 'grey matter shrinks');
    assert.ok(c0.voxels.csf < c1.voxels.csf && c1.voxels.csf < c2.voxels.csf, 'CSF grows');
    assert.ok(c0.brainParenchymalFraction > c2.brainParenchymalFraction + 0.05);
    // Intracranial volume (skull) is unchanged: atrophy moves tissue to CSF, it does not shrink the head.
    assert.equal(c2.voxels.skull, c0.voxels.skull);
    assert.ok(Math.abs(c2.intracranialMl - c0.intracranialMl) < 1e-6);
    // Ventricles are a separate effect.
    assert.equal(full.ventricleVoxels, base.ventricleVoxels);
  });

  it('ventricle enlargement grows the ventricles and changes nothing outside the deep brain', () => {
    const big = vol({ ventricleEnlargement: 1 });
    const mid = vol({ ventricleEnlargement: 0.5 });
    assert.ok(mid.ventricleVoxels > base.ventricleVoxels && big.ventricleVoxels > mid.ventricleVoxels);
    assert.ok(big.ventricleVoxels > 2.5 * base.ventricleVoxels, `${big.ventricleVoxels} vs ${base.ventricleVoxels}`);
    // Measured from labels alone: CSF inside a central box grows; every changed voxel became CSF and lies deep.
    const [nx, ny, nz] = base.size;
    const central = (i: number): boolean => {
      const x = i % nx;
      const y = Math.floor(i / nx) % ny;
      const z = Math.floor(i / (nx * ny));
      return Math.abs(x - nx / 2) < nx * 0.2 && Math.abs(y - ny / 2) < ny * 0.25 && Math.abs(z - nz / 2) < nz * 0.3;
    };
    const csfCentral = (v: BrainVolume): number => v.labels.reduce((n, l, i) => (l === 2 && central(i) ? n + 1 : n), 0);
    assert.ok(csfCentral(big) - csfCentral(base) > 1.5 * base.ventricleVoxels);
    const diff = changed(base, big);
    assert.ok(
      diff.every((i) => central(i)),
      'only the deep brain changes',
    );
    // The ventricles grow about a laterally moving centre, so a handful of former ventricle voxels become tissue.
    const toCsf = diff.filter((i) => big.labels[i] === MRI_LABEL.csf).length;
    assert.ok(toCsf > 0.98 * diff.length, `${toCsf} of ${diff.length} changed voxels became CSF`);
  });

  it('infarcts plant label-5 lesions (dark core, bright rim) only over brain tissue', () => {
    const hit = vol({ infarcts: 3 }, 5);
    const clean = vol({}, 5);
    assert.equal(count(clean, MRI_LABEL.infarct), 0);
    const n5 = count(hit, MRI_LABEL.infarct);
    assert.ok(n5 > 0);
    assert.equal(hit.lesions.filter((l) => l.kind === 'infarct' || l.kind === 'lacune').length, 3);
    assert.equal(
      hit.lesions.reduce((s, l) => s + l.voxels, 0),
      n5,
    );
    const diff = changed(clean, hit);
    assert.equal(diff.length, n5);
    assert.ok(diff.every((i) => hit.labels[i] === MRI_LABEL.infarct && [3, 4, 6].includes(clean.labels[i]!)));
    const more = vol({ infarcts: 8 }, 5);
    assert.ok(count(more, MRI_LABEL.infarct) > n5);
  });

  it('WMH load grows label-6 voxels on former white matter, brighter than grey matter', () => {
    const w3 = vol({ wmhLoad: 0.3 });
    const w8 = vol({ wmhLoad: 0.8 });
    assert.equal(count(base, MRI_LABEL.wmh), 0);
    assert.ok(count(w3, MRI_LABEL.wmh) > 0);
    assert.ok(count(w8, MRI_LABEL.wmh) > 2 * count(w3, MRI_LABEL.wmh));
    const diff = changed(base, w8);
    assert.ok(diff.every((i) => w8.labels[i] === MRI_LABEL.wmh && base.labels[i] === MRI_LABEL.whiteMatter));
    const wmh = meanWhere(w8, (l) => l === MRI_LABEL.wmh);
    const gm = meanWhere(w8, (l) => l === MRI_LABEL.greyMatter);
    assert.ok(wmh > 1.25 * gm, `WMH ${wmh} vs GM ${gm}`);
  });

  it('microbleeds are n separate small dark foci', () => {
    for (const n of [1, 6]) {
      const mb = vol({ microbleeds: n }, 21);
      assert.equal(components(mb, MRI_LABEL.microbleed), n);
      assert.equal(mb.lesions.filter((l) => l.kind === 'microbleed').length, n);
      const dark = meanWhere(mb, (l) => l === MRI_LABEL.microbleed);
      const wm = meanWhere(mb, (l) => l === MRI_LABEL.whiteMatter);
      assert.ok(dark < wm / 3, `microbleed ${dark} vs WM ${wm}`);
      assert.ok(count(mb, MRI_LABEL.microbleed) <= n * 40, 'each focus stays small');
    }
  });

  it('changing one effect leaves the noise realisation alone (independent streams)', () => {
    const mb = vol({ microbleeds: 2 });
    const diff = new Set(changed(base, mb));
    for (let i = 0; i < base.voxels.length; i += 97) {
      if (!diff.has(i)) {
        assert.equal(mb.voxels[i], base.voxels[i]);
      }
    }
  });

  it('rejects bad specs with actionable errors', () => {
    const bad: [unknown, string][] = [
      [{ seed: 1.5, effects: NONE }, 'seed'],
      [{ seed: 1, size: [4, 4, 4], effects: NONE }, 'size'],
      [{ seed: 1, size: [2048, 2048, 2048], effects: NONE }, 'size'],
      [{ seed: 1, effects: { ...NONE, atrophy: 1.5 } }, 'effects.atrophy'],
      [{ seed: 1, effects: { ...NONE, wmhLoad: Number.NaN } }, 'effects.wmhLoad'],
      [{ seed: 1, effects: { ...NONE, infarcts: 1.5 } }, 'effects.infarcts'],
      [{ seed: 1, effects: { ...NONE, microbleeds: -1 } }, 'effects.microbleeds'],
      [{ seed: 1 }, 'effects'],
    ];
    for (const [spec, path] of bad) {
      assert.throws(
        () => synthesizeBrainVolume(spec as Parameters<typeof synthesizeBrainVolume>[0]),
        (e: unknown) => (e as { code?: string; path?: string }).code === 'invalid-input' && (e as { path?: string }).path === path,
        path,
      );
    }
  });

  it('works at Coherent size 256³', function () {
    this.timeout(120_000);
    const big = synthesizeBrainVolume({ seed: 3, size: [256, 256, 256], effects: { ...NONE, infarcts: 1, microbleeds: 2 } });
    assert.equal(big.voxels.length, 256 ** 3);
    assert.deepEqual(big.spacingMm, [0.9375, 0.9375, 0.625]);
    const c = countMriLabels(big);
    assert.ok(c.brainMl > 700 && c.brainMl < 1600, `brain ${c.brainMl}`);
    assert.equal(components(big, MRI_LABEL.microbleed), 2);
  });
});
