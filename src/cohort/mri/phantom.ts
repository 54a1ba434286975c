/**
 * A seeded digital brain phantom with a FLAIR-like contrast and planted disease effects.
 *
 * Geometry (patient LPS millimetres, head-first supine, axial slices): the volume covers a fixed field of view of
 * 240 × 240 × 160 mm whatever the matrix, centred on the origin; voxel (i, j, k) sits at
 * `origin + (i·dx, j·dy, k·dz)`, i.e. columns run to the patient's left (+x), rows to posterior (+y) and slices from
 * inferior to superior (+z). Anatomy is built from one head ellipsoid and offsets measured along the ray from its
 * centre (a cheap stand-in for a distance transform): scalp 5 mm, skull 6 mm (outer table, marrow, inner table),
 * an extra-axial CSF gap, then the brain. Inside the brain: a cortical grey-matter ribbon folded by the zero set of a
 * smooth random field (sulci), an interhemispheric fissure, deep grey nuclei (thalami, lentiform and caudate nuclei),
 * lateral and third ventricles, and white matter everywhere else. See README.md for the effect model.
 *
 * Contrast (why these numbers): the image mimics a 3-D T2-FLAIR (TR 9000 ms, TE ~120 ms, TI ~2500 ms) because
 * FLAIR is the sequence on which white-matter hyperintensities are graded (Fazekas) and chronic infarcts show their
 * cavity and gliotic rim: fluid is nulled (CSF dark), grey matter is brighter than white matter, WMH and gliosis are
 * bright, cortical bone is black and scalp fat/marrow intermediate. Microbleeds are invisible on a true FLAIR; they are
 * drawn as the dark "blooming" foci of a T2*-weighted/SWI image, folded into this one series so one file carries
 * every planted effect. Intensities are in 12-bit scanner-like units (BitsStored 12).
 *
 * Noise and bias: a smooth multiplicative receive-coil bias field (separable quadratic, about ±15 %) multiplies the
 * tissue signal, then magnitude reconstruction of complex Gaussian noise gives Rician statistics:
 * `|S·b + σ(n₁ + i·n₂)|` with σ = 20 (SNR ≈ 38 in white matter; a Rayleigh floor in air).
 *
 * Determinism: independent seeded streams (`anatomy`, `infarcts`, `wmh`, `microbleeds`, `noise`) so changing one
 * effect leaves every other compartment and the noise realisation unchanged.
 */
import { createRng, gaussianTable } from './prng';
import type { Rng } from './prng';
import { validatePhantomSpec } from './spec';
import type { MriEffects, MriPhantomSpec } from './spec';

/** Tissue labels of {@link BrainVolume.labels}. */
export const MRI_LABEL = {
  background: 0,
  /** Skull and scalp (everything extracranial that is not air). */
  skull: 1,
  /** Cerebrospinal fluid: ventricles, sulci, fissure, extra-axial space. */
  csf: 2,
  /** Cortical and deep grey matter. */
  greyMatter: 3,
  whiteMatter: 4,
  infarct: 5,
  /** White-matter hyperintensity. */
  wmh: 6,
  microbleed: 7,
} as const;

/** A label value of {@link MRI_LABEL}. */
export type MriLabel = (typeof MRI_LABEL)[keyof typeof MRI_LABEL];

/** Noise-free FLAIR-like signal per compartment (12-bit units), before bias field and noise. */
export const MRI_SIGNAL = {
  air: 0,
  scalp: 620,
  bone: 40,
  marrow: 420,
  csf: 90,
  greyMatter: 1000,
  deepGreyMatter: 900,
  whiteMatter: 760,
  wmh: 1450,
  infarctCore: 150,
  infarctRim: 1350,
  microbleed: 110,
} as const;

/** Rician noise σ in signal units. */
export const MRI_NOISE_SIGMA = 20;

/** The largest stored pixel value (BitsStored 12). */
export const MRI_MAX_PIXEL = 4095;

/** Field of view in mm (x, y, z) whatever the matrix size. */
export const MRI_FOV_MM: readonly [number, number, number] = [240, 240, 160];

/** One planted lesion, for ground truth and tests. */
export interface PlantedLesion {
  /** `infarct` (territorial), `lacune` (small deep infarct), `wmh-focus` (deep WMH) or `microbleed`. */
  readonly kind: 'infarct' | 'lacune' | 'wmh-focus' | 'microbleed';
  /** Centre in patient LPS mm. */
  readonly centerMm: readonly [number, number, number];
  /** Nominal radius in mm. */
  readonly radiusMm: number;
  /** Voxels the lesion took over (0 if it landed on tissue already taken by an earlier lesion). */
  readonly voxels: number;
}

/** A synthesized volume with its tissue labels. */
export interface BrainVolume {
  /** Pixel values, x fastest, then y, then z (frame k = slice k). */
  readonly voxels: Uint16Array;
  /** Columns, rows, slices. */
  readonly size: [number, number, number];
  /** Voxel spacing in mm (x = column spacing, y = row spacing, z = slice spacing). */
  readonly spacingMm: [number, number, number];
  /** Patient LPS position of voxel (0, 0, 0) in mm (the first frame's ImagePositionPatient). */
  readonly originMm: [number, number, number];
  /** 0 background, 1 skull, 2 CSF/ventricles, 3 grey matter, 4 white matter, 5 infarct, 6 WMH, 7 microbleed. */
  readonly labels: Uint8Array;
  /** The lesions that were planted, in drawing order (a lesion is skipped only if no voxel of its tissue exists). */
  readonly lesions: readonly PlantedLesion[];
  /** Voxels of label 2 that belong to the lateral and third ventricles (the rest is sulcal/extra-axial CSF). */
  readonly ventricleVoxels: number;
}

/**
 * Rounds to 6 decimals, so spacings and positions survive DICOM DS text exactly.
 *
 * @param v - a number
 * @returns v rounded to 6 decimals (never -0)
 */
export function round6(v: number): number {
  const r = Math.round(v * 1e6) / 1e6;
  return r === 0 ? 0 : r;
}

/** Subject-specific anatomy drawn from the `anatomy` stream. */
interface Anatomy {
  /** Head centre (mm). */
  readonly c: readonly [number, number, number];
  /** Head semi-axes (mm). */
  readonly h: readonly [number, number, number];
  /** Global size factor of internal structures. */
  readonly s: number;
  /** Extra-axial CSF gap at baseline (mm). */
  readonly gap: number;
  /** Baseline ventricle size factor. */
  readonly vb: number;
  /** Fold-field terms: amplitude, angular frequency and phase per axis. */
  readonly folds: readonly { a: number; w: [number, number, number]; p: [number, number, number] }[];
  /** Bias-field quadratic coefficients per axis: [linear, quadratic]. */
  readonly bias: readonly [[number, number], [number, number], [number, number]];
}

const SKULL_MM = 11; // scalp 5 + outer table 1.5 + marrow 3 + inner table 1.5

function drawAnatomy(seed: number): Anatomy {
  const rng = createRng(seed, 'anatomy');
  const clampN = (sd: number, lim: number): number => Math.max(-lim, Math.min(lim, rng.normal() * sd));
  const s = 1 + clampN(0.035, 0.08);
  const h: [number, number, number] = [72 * s * (1 + clampN(0.02, 0.04)), 92 * s * (1 + clampN(0.02, 0.04)), 80 * s * (1 + clampN(0.02, 0.04))];
  const c: [number, number, number] = [rng.range(-1.5, 1.5), 2 + rng.range(-2, 2), -6 + rng.range(-2, 2)];
  const gap = rng.range(1.5, 3);
  const vb = 1 + clampN(0.12, 0.2);
  const folds: { a: number; w: [number, number, number]; p: [number, number, number] }[] = [];
  for (let t = 0; t < 8; t++) {
    const wave = (): number => (2 * Math.PI) / rng.range(24, 48);
    folds.push({
      a: rng.range(0.6, 1) * (rng.next() < 0.5 ? -1 : 1),
      w: [wave(), wave(), wave()],
      p: [rng.range(0, 2 * Math.PI), rng.range(0, 2 * Math.PI), rng.range(0, 2 * Math.PI)],
    });
  }
  const coeff = (): [number, number] => [rng.range(-0.08, 0.08), rng.range(-0.08, 0.04)];
  return { c, h, s, gap, vb, folds, bias: [coeff(), coeff(), coeff()] };
}

/** Effect-dependent geometry, all in mm. */
interface Geometry {
  readonly shrink: number;
  readonly cortex: number;
  readonly sulcusHalf: number;
  readonly sulcusDepth: number;
  readonly fissureHalf: number;
  readonly haloMm: number;
  /** Lateral ventricle semi-axes and the |x| of their centres. */
  readonly latAxes: readonly [number, number, number];
  readonly latCx: number;
  readonly thirdAxes: readonly [number, number, number];
}

function geometry(an: Anatomy, e: MriEffects): Geometry {
  const s = an.s;
  const a = e.atrophy;
  const v = e.ventricleEnlargement;
  const lat: [number, number, number] = [5.5 * s * an.vb * (1 + 0.75 * v), 26 * s * an.vb * (1 + 0.2 * v), 8.5 * s * an.vb * (1 + 0.75 * v)];
  return {
    shrink: 1 - 0.03 * a, // brain radius −3 % at atrophy 1 (≈ −9 % volume before the sulcal widening adds more)
    cortex: 3.2 * (1 - 0.2 * a), // cortical thickness 3.2 → 2.6 mm (AD cortical thinning is of the order of 10–20 %)
    sulcusHalf: 0.45 + 0.9 * a, // sulcal CSF half-width 0.45 → 1.35 mm
    sulcusDepth: 13 * s,
    fissureHalf: 1 + 1.5 * a,
    haloMm: 10 * e.wmhLoad, // periventricular WMH up to ~10 mm caps (Fazekas 3 when confluent)
    latAxes: lat,
    latCx: 1.5 + lat[0],
    thirdAxes: [1.5 * s * an.vb * (1 + 1.2 * v), 11 * s * an.vb, 7 * s * an.vb],
  };
}

/**
 * Brain-relative measurements of a point, shared by the voxel loop and lesion placement.
 * Returns the depth below the (atrophy-shrunk) brain surface in mm; negative outside the brain.
 */
function brainDepth(an: Anatomy, g: Geometry, x: number, y: number, z: number): number {
  const [a, b, c] = an.h;
  const q = (x / a) ** 2 + (y / b) ** 2 + (z / c) ** 2;
  const r = Math.sqrt(x * x + y * y + z * z);
  const rho = Math.sqrt(q);
  const R = rho > 1e-9 ? r / rho : Math.min(a, b, c);
  return (R - SKULL_MM - an.gap) * g.shrink - r;
}

/**
 * Synthesizes one brain volume. Same spec → identical arrays.
 *
 * @param spec - seed, size (default 128 × 128 × 64) and effects
 * @returns voxels, labels, size, spacing, origin and the planted lesions
 * @throws {@link HealthDataError} (invalid-input) for a bad seed, size or effect value
 * @example
 * ```ts
 * const vol = synthesizeBrainVolume({ seed: 1, effects: { atrophy: 0.5, ventricleEnlargement: 0.5, infarcts: 1, wmhLoad: 0.3, microbleeds: 2 } });
 * vol.labels.filter((l) => l === MRI_LABEL.microbleed).length; // > 0
 * ```
 */
export function synthesizeBrainVolume(spec: MriPhantomSpec): BrainVolume {
  const [nx, ny, nz] = validatePhantomSpec('synthesizeBrainVolume', spec);
  const spacingMm: [number, number, number] = [round6(MRI_FOV_MM[0] / nx), round6(MRI_FOV_MM[1] / ny), round6(MRI_FOV_MM[2] / nz)];
  const originMm: [number, number, number] = [round6((-(nx - 1) / 2) * spacingMm[0]), round6((-(ny - 1) / 2) * spacingMm[1]), round6((-(nz - 1) / 2) * spacingMm[2])];
  const an = drawAnatomy(spec.seed);
  const g = geometry(an, spec.effects);
  const n = nx * ny * nz;
  const labels = new Uint8Array(n);
  const voxels = new Uint16Array(n);
  // Head-centred coordinates per axis.
  const xs = axis(nx, originMm[0], spacingMm[0], an.c[0]);
  const ys = axis(ny, originMm[1], spacingMm[1], an.c[1]);
  const zs = axis(nz, originMm[2], spacingMm[2], an.c[2]);
  const ventricleVoxels = rasterizeAnatomy(an, g, [nx, ny, nz], xs, ys, zs, labels, voxels);
  const lesions: PlantedLesion[] = [];
  const ctx: LesionContext = { an, g, size: [nx, ny, nz], spacing: spacingMm, originMm, xs, ys, zs, labels, voxels };
  plantInfarcts(ctx, createRng(spec.seed, 'infarcts'), spec.effects.infarcts, lesions);
  plantWmhFoci(ctx, createRng(spec.seed, 'wmh'), spec.effects.wmhLoad, lesions);
  plantMicrobleeds(ctx, createRng(spec.seed, 'microbleeds'), spec.effects.microbleeds, lesions);
  applyBiasAndNoise(an, [nx, ny, nz], voxels, createRng(spec.seed, 'noise'));
  return { voxels, labels, size: [nx, ny, nz], spacingMm, originMm, lesions, ventricleVoxels };
}

function axis(n: number, origin: number, spacing: number, centre: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = origin + i * spacing - centre;
  }
  return out;
}

/** Fold field tables: f = Σ a·cos(wx·x+px)·cos(wy·y+py)·cos(wz·z+pz), per axis the cosines and gradient factors. */
function foldTables(an: Anatomy, size: readonly [number, number, number], xs: Float64Array, ys: Float64Array, zs: Float64Array) {
  const [nx, ny, nz] = size;
  const K = an.folds.length;
  const cx = new Float64Array(K * nx);
  const sx = new Float64Array(K * nx);
  const cy = new Float64Array(K * ny);
  const sy = new Float64Array(K * ny);
  const cz = new Float64Array(K * nz);
  const sz = new Float64Array(K * nz);
  an.folds.forEach((f, t) => {
    for (let i = 0; i < nx; i++) {
      const ph = f.w[0] * (xs[i] as number) + f.p[0];
      cx[t * nx + i] = Math.cos(ph);
      sx[t * nx + i] = -f.w[0] * Math.sin(ph);
    }
    for (let j = 0; j < ny; j++) {
      const ph = f.w[1] * (ys[j] as number) + f.p[1];
      cy[t * ny + j] = Math.cos(ph);
      sy[t * ny + j] = -f.w[1] * Math.sin(ph);
    }
    for (let k = 0; k < nz; k++) {
      const ph = f.w[2] * (zs[k] as number) + f.p[2];
      cz[t * nz + k] = Math.cos(ph);
      sz[t * nz + k] = -f.w[2] * Math.sin(ph);
    }
  });
  const amp = Float64Array.from(an.folds, (f) => f.a);
  return { K, cx, sx, cy, sy, cz, sz, amp };
}

/** The deep structures' shapes (mm): lateral and third ventricles, grey nuclei, the deep box and the callosal core. */
function deepStructures(g: Geometry, s: number) {
  const [lax, lay, laz] = g.latAxes;
  const ilax2 = 1 / (lax * lax);
  const ilaz2 = 1 / (laz * laz);
  const latCz = 14 * s;
  const latArch = 8 * s;
  const [tax, tay, taz] = g.thirdAxes;
  const thirdCy = 6 * s;
  const thirdCz = 0;
  // Deep grey nuclei: [cx(|x|), cy, cz, ax, ay, az].
  const nuclei = [
    [10 * s, 8 * s, 2 * s, 7 * s, 13 * s, 8 * s], // thalamus
    [21 * s, -2 * s, 4 * s, 5.5 * s, 14 * s, 9 * s], // lentiform nucleus
    [13 * s, -14 * s, 13 * s, 4.5 * s, 8 * s, 8 * s], // caudate head
  ] as const;
  const deepX = 42 * s;
  const deepY = 52 * s;
  const deepZlo = -24 * s;
  const deepZhi = 50 * s;
  // Core (corpus callosum and below) where the interhemispheric fissure stops.
  const coreAx = 38 * s;
  const coreAy = 50 * s;
  const coreAz = 28 * s;
  const coreCz = 10 * s;
  return { lax, lay, ilax2, ilaz2, latCz, latArch, tax, tay, taz, thirdCy, thirdCz, nuclei, deepX, deepY, deepZlo, deepZhi, coreAx, coreAy, coreAz, coreCz };
}

/** What {@link deepLabel} found for a white-matter voxel near the centre. */
const enum Deep {
  WhiteMatter,
  Ventricle,
  DeepGrey,
  Wmh,
}

/** A white-matter voxel inside the deep box: ventricle, deep grey nucleus, periventricular WMH (halo mm) or white matter. */
function deepLabel(x: number, y: number, z: number, ax: number, ds: ReturnType<typeof deepStructures>, latCx: number, halo: number): Deep {
  const { lay, ilax2, ilaz2, latCz, latArch, tax, tay, taz, thirdCy, thirdCz, nuclei } = ds;
  // Lateral ventricles: arched ellipsoids (horns droop by latArch mm at their ends).
  const ly = y / lay;
  const lz = z - latCz + latArch * ly * ly;
  const lx = ax - latCx;
  const qLat = lx * lx * ilax2 + ly * ly + lz * lz * ilaz2;
  const tz = z - thirdCz;
  const ty = y - thirdCy;
  const qThird = (x * x) / (tax * tax) + (ty * ty) / (tay * tay) + (tz * tz) / (taz * taz);
  if (qLat < 1 || qThird < 1) {
    return Deep.Ventricle;
  }
  {
    for (const [ncx, ncy, ncz, nax, nay, naz] of nuclei) {
      const ex = (ax - ncx) / nax;
      const ey = (y - ncy) / nay;
      const ez = (z - ncz) / naz;
      if (ex * ex + ey * ey + ez * ez < 1) {
        return Deep.DeepGrey;
      }
    }
    if (halo > 0) {
      // Periventricular WMH: within `halo` mm of a lateral ventricle, thicker at the horns ("caps").
      const rl = Math.sqrt(lx * lx + ly * ly * lay * lay + lz * lz);
      const rhoL = Math.sqrt(qLat);
      const distL = rhoL > 1e-9 ? rl - rl / rhoL : 0;
      if (distL < halo * (0.35 + 0.65 * Math.min(1, ly * ly))) {
        return Deep.Wmh;
      }
    }
  }
  return Deep.WhiteMatter;
}

/** The fold field of the current row (y, z fixed): value and y/z gradient factors per fold. */
interface FoldRow {
  readonly rowF: Float64Array;
  readonly rowGy: Float64Array;
  readonly rowGz: Float64Array;
}

/** Fills the row's fold factors for row j of slice k. */
function foldRow(fold: ReturnType<typeof foldTables>, j: number, k: number, ny: number, nz: number, rows: FoldRow): void {
  const { K, amp, cy, sy, cz, sz } = fold;
  const { rowF, rowGy, rowGz } = rows;
  for (let t = 0; t < K; t++) {
    const a = amp[t] as number;
    const cyv = cy[t * ny + j] as number;
    const czv = cz[t * nz + k] as number;
    rowF[t] = a * cyv * czv;
    rowGy[t] = a * (sy[t * ny + j] as number) * czv;
    rowGz[t] = a * cyv * (sz[t * nz + k] as number);
  }
}

/** ≈ mm from voxel i of the current row to the sulcal mid-surface (|f| / |∇f|). */
function sulcalDistance(fold: ReturnType<typeof foldTables>, rows: FoldRow, i: number, nx: number): number {
  const { K, cx, sx } = fold;
  const { rowF, rowGy, rowGz } = rows;
  let f = 0;
  let gx = 0;
  let gy = 0;
  let gz = 0;
  for (let t = 0; t < K; t++) {
    const c = cx[t * nx + i] as number;
    f += (rowF[t] as number) * c;
    gx += (rowF[t] as number) * (sx[t * nx + i] as number);
    gy += (rowGy[t] as number) * c;
    gz += (rowGz[t] as number) * c;
  }
  const grad = Math.sqrt(gx * gx + gy * gy + gz * gz);
  return Math.abs(f) / (grad > 1e-6 ? grad : 1e-6);
}

/** Label and signal of each {@link Deep} outcome (white matter stays as it was). */
const DEEP_LABEL = [4, 2, 3, 6] as const;
const DEEP_SIGNAL = [MRI_SIGNAL.whiteMatter, MRI_SIGNAL.csf, MRI_SIGNAL.deepGreyMatter, MRI_SIGNAL.wmh] as const;

/** What every row of {@link rasterizeRow} shares: geometry constants, fold tables and the output arrays. */
interface RasterContext {
  readonly nx: number;
  readonly xs: Float64Array;
  readonly ia2: number;
  readonly minAxis: number;
  readonly s: number;
  readonly fold: ReturnType<typeof foldTables>;
  readonly rows: FoldRow;
  readonly cortexBand: number;
  readonly ds: ReturnType<typeof deepStructures>;
  readonly latCx: number;
  readonly halo: number;
  readonly cortex: number;
  readonly sulcusHalf: number;
  readonly sulcusDepth: number;
  readonly fissureHalf: number;
  readonly shrink: number;
  readonly gap: number;
  readonly labels: Uint8Array;
  readonly voxels: Uint16Array;
}

/**
 * The per-voxel anatomy decision, row by row. The voxel loop lives in {@link rasterizeRow}, called once per row, so V8
 * optimises it as a whole function: one nested loop over the volume was entered by on-stack replacement of its
 * inner loop and deoptimised at every exit from it (45 times per 256³ volume, `--trace-deopt`).
 */
function rasterizeAnatomy(an: Anatomy, g: Geometry, size: readonly [number, number, number], xs: Float64Array, ys: Float64Array, zs: Float64Array, labels: Uint8Array, voxels: Uint16Array): number {
  const [nx, ny, nz] = size;
  const [ha, hb, hc] = an.h;
  const ib2 = 1 / (hb * hb);
  const ic2 = 1 / (hc * hc);
  // Fold field tables: f = Σ a·cos(wx·x+px)·cos(wy·y+py)·cos(wz·z+pz) and its gradient.
  const fold = foldTables(an, size, xs, ys, zs);
  const ctx: RasterContext = {
    nx,
    xs,
    ia2: 1 / (ha * ha),
    minAxis: Math.min(ha, hb, hc),
    s: an.s,
    fold,
    rows: { rowF: new Float64Array(fold.K), rowGy: new Float64Array(fold.K), rowGz: new Float64Array(fold.K) },
    cortexBand: g.sulcusDepth + g.cortex + 0.5,
    ds: deepStructures(g, an.s),
    latCx: g.latCx,
    halo: g.haloMm,
    cortex: g.cortex,
    sulcusHalf: g.sulcusHalf,
    sulcusDepth: g.sulcusDepth,
    fissureHalf: g.fissureHalf,
    shrink: g.shrink,
    gap: an.gap,
    labels,
    voxels,
  };
  let ventricleVoxels = 0;
  for (let k = 0; k < nz; k++) {
    const z = zs[k] as number;
    for (let j = 0; j < ny; j++) {
      const y = ys[j] as number;
      const qyz = y * y * ib2 + z * z * ic2;
      if (qyz < 1) {
        // Otherwise the whole row is air: labels and signal stay 0.
        foldRow(fold, j, k, ny, nz, ctx.rows);
        ventricleVoxels += rasterizeRow(ctx, y, z, qyz, nx * (j + ny * k));
      }
    }
  }
  return ventricleVoxels;
}

/** Labels and signal of one row (y, z fixed) starting at voxel index `idx`; returns its ventricle voxels. */
function rasterizeRow(ctx: RasterContext, y: number, z: number, qyz: number, idx0: number): number {
  const { nx, xs, ia2, minAxis, s, fold, rows, cortexBand, ds, latCx, halo, cortex, sulcusHalf, sulcusDepth, fissureHalf, shrink, gap, labels, voxels } = ctx;
  const { deepX, deepY, deepZlo, deepZhi, coreAx, coreAy, coreAz, coreCz } = ds;
  const inDeepRow = y > -deepY && y < deepY && z > deepZlo && z < deepZhi;
  const yzr2 = y * y + z * z;
  let ventricleVoxels = 0;
  for (let i = 0; i < nx; i++) {
    const x = xs[i] as number;
    const q = x * x * ia2 + qyz;
    if (q >= 1) {
      continue;
    }
    const idx = idx0 + i;
    const r = Math.sqrt(x * x + yzr2);
    const rho = Math.sqrt(q);
    const R = rho > 1e-9 ? r / rho : minAxis;
    const u = R - r; // depth below the scalp surface
    if (u < SKULL_MM) {
      labels[idx] = 1;
      voxels[idx] = u < 5 ? MRI_SIGNAL.scalp : u < 6.5 || u >= 9.5 ? MRI_SIGNAL.bone : MRI_SIGNAL.marrow;
      continue;
    }
    const d = (R - SKULL_MM - gap) * shrink - r; // depth below the brain surface
    if (d < 0) {
      labels[idx] = 2;
      voxels[idx] = MRI_SIGNAL.csf;
      continue;
    }
    let label = 4;
    let signal: number = MRI_SIGNAL.whiteMatter;
    if (d < cortexBand) {
      const dist = sulcalDistance(fold, rows, i, nx); // ≈ mm to the sulcal mid-surface
      if (d < sulcusDepth && dist < sulcusHalf) {
        label = 2;
        signal = MRI_SIGNAL.csf;
      } else if (d < cortex || (d < sulcusDepth + cortex && dist < sulcusHalf + cortex)) {
        label = 3;
        signal = MRI_SIGNAL.greyMatter;
      }
    }
    const ax = x < 0 ? -x : x;
    if (z > -14 * s && ax < fissureHalf + cortex && label !== 2) {
      const zc = z - coreCz;
      if ((x / coreAx) ** 2 + (y / coreAy) ** 2 + (zc / coreAz) ** 2 >= 1) {
        if (ax < fissureHalf) {
          label = 2;
          signal = MRI_SIGNAL.csf;
        } else {
          label = 3;
          signal = MRI_SIGNAL.greyMatter;
        }
      }
    }
    if (inDeepRow && ax < deepX && label === 4) {
      const deep = deepLabel(x, y, z, ax, ds, latCx, halo);
      label = DEEP_LABEL[deep];
      signal = DEEP_SIGNAL[deep];
      ventricleVoxels += deep === Deep.Ventricle ? 1 : 0;
    }
    labels[idx] = label;
    voxels[idx] = signal;
  }
  return ventricleVoxels;
}

interface LesionContext {
  readonly an: Anatomy;
  readonly g: Geometry;
  readonly size: readonly [number, number, number];
  readonly spacing: readonly [number, number, number];
  readonly originMm: readonly [number, number, number];
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  readonly zs: Float64Array;
  readonly labels: Uint8Array;
  readonly voxels: Uint16Array;
}

/** Draws a voxel whose label is in `accept` and whose brain depth is in [minDepth, maxDepth], inside a box (mm). */
function sampleVoxel(
  ctx: LesionContext,
  rng: Rng,
  accept: ReadonlySet<number>,
  minDepth: number,
  maxDepth: number,
  box: readonly [number, number, number] | undefined,
  reject?: (i: number, j: number, k: number) => boolean,
): [number, number, number] | undefined {
  const [nx, ny, nz] = ctx.size;
  for (let tries = 0; tries < 4000; tries++) {
    const i = Math.floor(rng.next() * nx);
    const j = Math.floor(rng.next() * ny);
    const k = Math.floor(rng.next() * nz);
    const x = ctx.xs[i] as number;
    const y = ctx.ys[j] as number;
    const z = ctx.zs[k] as number;
    if (box !== undefined && (Math.abs(x) > box[0] || Math.abs(y) > box[1] || Math.abs(z - 10 * ctx.an.s) > box[2])) {
      continue;
    }
    if (!accept.has(ctx.labels[i + nx * (j + ny * k)] as number)) {
      continue;
    }
    const d = brainDepth(ctx.an, ctx.g, x, y, z);
    if (d < minDepth || d > maxDepth) {
      continue;
    }
    if (reject?.(i, j, k) === true) {
      continue;
    }
    return [i, j, k];
  }
  return undefined;
}

/**
 * Paints the union of spheres (head-centred mm) over voxels whose label is in `over`; `paint` gets the normalised
 * radius t ∈ [0, 1) of the closest sphere and returns the signal. Returns the number of voxels painted.
 */
function paintSpheres(ctx: LesionContext, spheres: readonly (readonly [number, number, number, number])[], over: ReadonlySet<number>, label: number, paint: (t: number) => number): number {
  const [nx, ny, nz] = ctx.size;
  const [dx, dy, dz] = ctx.spacing;
  const x0 = ctx.xs[0] as number;
  const y0 = ctx.ys[0] as number;
  const z0 = ctx.zs[0] as number;
  let lo = [Infinity, Infinity, Infinity];
  let hi = [-Infinity, -Infinity, -Infinity];
  for (const [sx, sy, sz, sr] of spheres) {
    lo = [Math.min(lo[0] as number, sx - sr), Math.min(lo[1] as number, sy - sr), Math.min(lo[2] as number, sz - sr)];
    hi = [Math.max(hi[0] as number, sx + sr), Math.max(hi[1] as number, sy + sr), Math.max(hi[2] as number, sz + sr)];
  }
  const i0 = Math.max(0, Math.floor(((lo[0] as number) - x0) / dx));
  const i1 = Math.min(nx - 1, Math.ceil(((hi[0] as number) - x0) / dx));
  const j0 = Math.max(0, Math.floor(((lo[1] as number) - y0) / dy));
  const j1 = Math.min(ny - 1, Math.ceil(((hi[1] as number) - y0) / dy));
  const k0 = Math.max(0, Math.floor(((lo[2] as number) - z0) / dz));
  const k1 = Math.min(nz - 1, Math.ceil(((hi[2] as number) - z0) / dz));
  let painted = 0;
  for (let k = k0; k <= k1; k++) {
    const z = ctx.zs[k] as number;
    for (let j = j0; j <= j1; j++) {
      const y = ctx.ys[j] as number;
      for (let i = i0; i <= i1; i++) {
        const idx = i + nx * (j + ny * k);
        if (!over.has(ctx.labels[idx] as number)) {
          continue;
        }
        const x = ctx.xs[i] as number;
        let t = Infinity;
        for (const [sx, sy, sz, sr] of spheres) {
          const tt = Math.sqrt((x - sx) ** 2 + (y - sy) ** 2 + (z - sz) ** 2) / sr;
          if (tt < t) {
            t = tt;
          }
        }
        if (t < 1) {
          ctx.labels[idx] = label;
          ctx.voxels[idx] = paint(t);
          painted++;
        }
      }
    }
  }
  return painted;
}

function toPatientMm(ctx: LesionContext, x: number, y: number, z: number): [number, number, number] {
  return [round6(x + ctx.an.c[0]), round6(y + ctx.an.c[1]), round6(z + ctx.an.c[2])];
}

const BRAIN_TISSUE = new Set<number>([3, 4, 6]);
const WHITE = new Set<number>([4]);

/**
 * Chronic infarcts: ~45 % lacunes (1.5–4 mm radius, deep grey/white matter) and ~55 % territorial
 * cortical–subcortical lesions (6–14 mm, an irregular union of three spheres). FLAIR: a cavitated core that follows
 * CSF (dark) inside a bright gliotic rim (outer 35 % of the radius).
 */
function plantInfarcts(ctx: LesionContext, rng: Rng, count: number, out: PlantedLesion[]): void {
  const s = ctx.an.s;
  const minR = 0.6 * Math.max(...ctx.spacing);
  for (let n = 0; n < count; n++) {
    const lacune = rng.next() < 0.45;
    const radius = Math.max(minR, lacune ? rng.range(1.5, 4) : rng.range(6, 14) * s);
    const at = lacune ? sampleVoxel(ctx, rng, new Set([3, 4, 6]), ctx.g.cortex + 6, Infinity, [32 * s, 36 * s, 24 * s]) : sampleVoxel(ctx, rng, new Set([3, 4]), ctx.g.cortex + 2, 16 * s, undefined);
    if (at === undefined) {
      continue;
    }
    const [i, j, k] = at;
    const cx = ctx.xs[i] as number;
    const cy = ctx.ys[j] as number;
    const cz = ctx.zs[k] as number;
    const spheres: [number, number, number, number][] = [[cx, cy, cz, radius]];
    if (!lacune) {
      for (let t = 0; t < 2; t++) {
        const ux = rng.normal();
        const uy = rng.normal();
        const uz = rng.normal();
        const un = Math.sqrt(ux * ux + uy * uy + uz * uz) || 1;
        const off = 0.6 * radius;
        spheres.push([cx + (off * ux) / un, cy + (off * uy) / un, cz + (off * uz) / un, radius * rng.range(0.5, 0.8)]);
      }
    }
    const voxels = paintSpheres(ctx, spheres, BRAIN_TISSUE, MRI_LABEL.infarct, (t) => (t < 0.65 ? MRI_SIGNAL.infarctCore : MRI_SIGNAL.infarctRim));
    out.push({ kind: lacune ? 'lacune' : 'infarct', centerMm: toPatientMm(ctx, cx, cy, cz), radiusMm: radius, voxels });
  }
}

/**
 * Deep white-matter hyperintensity foci (the periventricular part is drawn with the anatomy): round(40·load²) foci
 * of 1.5–4.5 mm (scaled up with the load), on white matter at least 4 mm below the cortex.
 */
function plantWmhFoci(ctx: LesionContext, rng: Rng, load: number, out: PlantedLesion[]): void {
  const count = Math.round(40 * load * load);
  const minR = 0.6 * Math.max(...ctx.spacing);
  for (let n = 0; n < count; n++) {
    const radius = Math.max(minR, rng.range(1.5, 4.5) * (0.6 + 0.8 * load));
    const at = sampleVoxel(ctx, rng, WHITE, ctx.g.cortex + 4, Infinity, undefined);
    if (at === undefined) {
      continue;
    }
    const [i, j, k] = at;
    const c: [number, number, number, number] = [ctx.xs[i] as number, ctx.ys[j] as number, ctx.zs[k] as number, radius];
    const voxels = paintSpheres(ctx, [c], WHITE, MRI_LABEL.wmh, () => MRI_SIGNAL.wmh);
    out.push({ kind: 'wmh-focus', centerMm: toPatientMm(ctx, c[0], c[1], c[2]), radiusMm: radius, voxels });
  }
}

/**
 * Microbleeds: half lobar (cortico-subcortical junction, the cerebral amyloid angiopathy pattern), half deep (basal
 * ganglia/thalamus, the hypertensive pattern); 1–2.2 mm radius, never smaller than the voxel holding the centre, at
 * least 8 mm apart so each one stays a separate, countable focus.
 */
function plantMicrobleeds(ctx: LesionContext, rng: Rng, count: number, out: PlantedLesion[]): void {
  const s = ctx.an.s;
  const placed: [number, number, number][] = [];
  const [nx, ny] = ctx.size;
  const tooClose = (i: number, j: number, k: number): boolean => {
    const x = ctx.xs[i] as number;
    const y = ctx.ys[j] as number;
    const z = ctx.zs[k] as number;
    return placed.some(([px, py, pz]) => (x - px) ** 2 + (y - py) ** 2 + (z - pz) ** 2 < 64);
  };
  for (let n = 0; n < count; n++) {
    const lobar = rng.next() < 0.5;
    const radius = rng.range(1, 2.2);
    const draw = (reject?: (i: number, j: number, k: number) => boolean): [number, number, number] | undefined =>
      lobar
        ? sampleVoxel(ctx, rng, BRAIN_TISSUE, ctx.g.cortex - 0.5, ctx.g.cortex + 5, undefined, reject)
        : sampleVoxel(ctx, rng, BRAIN_TISSUE, ctx.g.cortex + 6, Infinity, [30 * s, 30 * s, 22 * s], reject);
    // With very many microbleeds the 8 mm spacing may be impossible; then place the focus anyway (it may touch another).
    const at = draw(tooClose) ?? draw();
    if (at === undefined) {
      continue;
    }
    const [i, j, k] = at;
    const c: [number, number, number, number] = [ctx.xs[i] as number, ctx.ys[j] as number, ctx.zs[k] as number, radius];
    let voxels = paintSpheres(ctx, [c], BRAIN_TISSUE, MRI_LABEL.microbleed, () => MRI_SIGNAL.microbleed);
    const centre = i + nx * (j + ny * k);
    if (ctx.labels[centre] !== MRI_LABEL.microbleed) {
      ctx.labels[centre] = MRI_LABEL.microbleed;
      ctx.voxels[centre] = MRI_SIGNAL.microbleed;
      voxels++;
    }
    placed.push([c[0], c[1], c[2]]);
    out.push({ kind: 'microbleed', centerMm: toPatientMm(ctx, c[0], c[1], c[2]), radiusMm: radius, voxels });
  }
}

/** Multiplies by the bias field and replaces the signal with a Rician magnitude sample, in place. */
function applyBiasAndNoise(an: Anatomy, size: readonly [number, number, number], voxels: Uint16Array, rng: Rng): void {
  const [nx, ny, nz] = size;
  const bias = (n: number, [c1, c2]: readonly [number, number]): Float64Array => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const t = n > 1 ? (2 * i) / (n - 1) - 1 : 0;
      out[i] = 1 + c1 * t + c2 * t * t;
    }
    return out;
  };
  const bx = bias(nx, an.bias[0]);
  const by = bias(ny, an.bias[1]);
  const bz = bias(nz, an.bias[2]);
  const table = gaussianTable();
  const draws = new Uint32Array(nx);
  for (let k = 0; k < nz; k++) {
    const fz = bz[k] as number;
    for (let j = 0; j < ny; j++) {
      rng.fillU32(draws);
      noiseRow(voxels, nx * (j + ny * k), fz * (by[j] as number), bx, draws, table);
    }
  }
}

/** One row of {@link applyBiasAndNoise} (a function of its own so V8 optimises it whole rather than by OSR). */
function noiseRow(voxels: Uint16Array, idx0: number, fyz: number, bx: Float64Array, draws: Uint32Array, table: Float32Array): void {
  const sigma = MRI_NOISE_SIGMA;
  const max = MRI_MAX_PIXEL;
  const nx = bx.length;
  for (let i = 0; i < nx; i++) {
    const idx = idx0 + i;
    const u = draws[i] as number;
    const re = (voxels[idx] as number) * fyz * (bx[i] as number) + sigma * (table[u >>> 16] as number);
    const im = sigma * (table[u & 0xffff] as number);
    const m = (Math.sqrt(re * re + im * im) + 0.5) | 0;
    voxels[idx] = m > max ? max : m;
  }
}
