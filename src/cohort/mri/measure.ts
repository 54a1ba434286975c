/**
 * Compartment volumes of a labelled phantom, the measurable side of the planted effects.
 */
import { MRI_LABEL } from './phantom';
import type { BrainVolume } from './phantom';

/** Label names of {@link MRI_LABEL}. */
export type MriLabelName = keyof typeof MRI_LABEL;

/** Voxel counts and volumes per label, plus the usual atrophy summaries. */
export interface MriLabelCounts {
  /** Voxels per label. */
  readonly voxels: Readonly<Record<MriLabelName, number>>;
  /** Millilitres per label. */
  readonly ml: Readonly<Record<MriLabelName, number>>;
  /** Brain parenchyma (labels 3–7) in mL. */
  readonly brainMl: number;
  /** Intracranial volume (brain + CSF) in mL. */
  readonly intracranialMl: number;
  /** Brain parenchymal fraction = brain / intracranial (falls with atrophy and ventricle enlargement). */
  readonly brainParenchymalFraction: number;
}

/**
 * Counts each label of a volume and converts to millilitres.
 *
 * @param volume - labels, size and spacing (e.g. from {@link synthesizeBrainVolume})
 * @returns counts, volumes and the brain parenchymal fraction
 */
export function countMriLabels(volume: Pick<BrainVolume, 'labels' | 'spacingMm'>): MriLabelCounts {
  const hist = new Float64Array(256);
  const labels = volume.labels;
  for (let i = 0; i < labels.length; i++) {
    hist[labels[i] as number]++;
  }
  const voxelMl = (volume.spacingMm[0] * volume.spacingMm[1] * volume.spacingMm[2]) / 1000;
  const names = Object.keys(MRI_LABEL) as MriLabelName[];
  const voxels = Object.fromEntries(names.map((n) => [n, hist[MRI_LABEL[n]] as number])) as Record<MriLabelName, number>;
  const ml = Object.fromEntries(names.map((n) => [n, voxels[n] * voxelMl])) as Record<MriLabelName, number>;
  const brainMl = ml.greyMatter + ml.whiteMatter + ml.infarct + ml.wmh + ml.microbleed;
  const intracranialMl = brainMl + ml.csf;
  return { voxels, ml, brainMl, intracranialMl, brainParenchymalFraction: intracranialMl > 0 ? brainMl / intracranialMl : 0 };
}
