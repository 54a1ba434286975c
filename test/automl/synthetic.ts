/**
 * Named synthetic datasets with known answers for the AutoML tests (seeded, generated in memory).
 */
import { createRng } from '../../src/automl/rng';
import type { Matrix } from '../../src/automl/types';

/** A matrix with labels. */
export interface Labelled {
  x: Matrix;
  y: Int32Array;
}

/** Linearly separable with a margin: y = 1 when 2·x0 − x1 > 0, rows within 0.2 of the boundary removed. */
export function separable(n: number, p: number, seed: number): Labelled {
  const rng = createRng(seed);
  const data: number[] = [];
  const y: number[] = [];
  while (y.length < n) {
    const row = Array.from({ length: p }, () => rng.normal());
    const z = 2 * row[0]! - row[1]!;
    if (Math.abs(z) < 0.2) {
      continue;
    }
    data.push(...row);
    y.push(z > 0 ? 1 : 0);
  }
  return { x: { n, p, data: Float64Array.from(data) }, y: Int32Array.from(y) };
}

/** XOR of the signs of x0 and x1 (no linear signal at all), plus noise features. */
export function xor(n: number, p: number, seed: number): Labelled {
  const rng = createRng(seed);
  const data = new Float64Array(n * p);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) {
      data[i * p + j] = rng.next() * 2 - 1;
    }
    y[i] = data[i * p]! > 0 !== data[i * p + 1]! > 0 ? 1 : 0;
  }
  return { x: { n, p, data }, y };
}

/** Logistic model with known coefficients: P(y=1) = σ(3·x0 − 2·x1), other features noise. */
export function logistic(n: number, p: number, seed: number): Labelled {
  const rng = createRng(seed);
  const data = new Float64Array(n * p);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) {
      data[i * p + j] = rng.normal();
    }
    const z = 3 * data[i * p]! - 2 * data[i * p + 1]!;
    y[i] = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { x: { n, p, data }, y };
}

/** Three Gaussian blobs (classes 0, 1, 2) centred 4 apart on x0/x1. */
export function blobs(n: number, p: number, seed: number): Labelled {
  const rng = createRng(seed);
  const data = new Float64Array(n * p);
  const y = new Int32Array(n);
  const centres = [
    [0, 0],
    [4, 0],
    [0, 4],
  ];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    y[i] = c;
    for (let j = 0; j < p; j++) {
      data[i * p + j] = rng.normal() + (j < 2 ? centres[c]![j]! : 0);
    }
  }
  return { x: { n, p, data }, y };
}

/** Row objects with a planted signal in `a` (linear), `b`·`c` (interaction), a categorical `grp`, noise columns. */
export function plantedRows(n: number, seed: number, noise = 6): Record<string, unknown>[] {
  const rng = createRng(seed);
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const a = rng.normal();
    const b = rng.normal();
    const c = rng.normal();
    const grp = ['x', 'y', 'z'][rng.int(3)]!;
    const z = 1.8 * a + (b * c > 0 ? 1 : -1) + (grp === 'z' ? 1 : 0) - 0.3 + 0.4 * rng.normal();
    const row: Record<string, unknown> = { id: `p${i}`, a, b, c, grp, outcome: z > 0 ? 1 : 0 };
    for (let j = 0; j < noise; j++) {
      row[`n${j}`] = rng.normal();
    }
    rows.push(row);
  }
  return rows;
}

/**
 * A genotype-panel table: `apoe_e4` (0/1/2 copies, allele frequency 0.14) carries the only signal, +`effect` log-odds
 * per copy on a ~18% baseline risk, among `noise` dosage columns `rs0…` drawn in Hardy–Weinberg proportions with
 * minor-allele frequencies from 0.01 to 0.5 (skewed towards rare alleles, as on a real panel). Shaped like the
 * genomic feature group: a few real signals among hundreds of weak columns.
 */
export function genotypeRows(n: number, noise: number, seed: number, effect = 1.1): Record<string, unknown>[] {
  const rng = createRng(seed);
  const mafs = Array.from({ length: noise }, () => 0.01 + 0.49 * rng.next() ** 2);
  const dosage = (q: number): number => (rng.next() < q ? 1 : 0) + (rng.next() < q ? 1 : 0);
  return Array.from({ length: n }, () => {
    const e4 = dosage(0.14);
    const row: Record<string, unknown> = { apoe_e4: e4 };
    mafs.forEach((q, j) => {
      row[`rs${j}`] = dosage(q);
    });
    row.label = rng.next() < 1 / (1 + Math.exp(-(-1.5 + effect * e4))) ? 1 : 0;
    return row;
  });
}

/** Positive-class probabilities from an n × 2 probability matrix. */
export function positive(proba: Float64Array): Float64Array {
  return Float64Array.from({ length: proba.length / 2 }, (_, i) => proba[i * 2 + 1]!);
}
