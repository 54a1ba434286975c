/**
 * Inputs and settings of the radiomics engine (names and defaults as pyradiomics).
 */

/** A 3-D image: x fastest, then y, then z. */
export interface RadiomicsImage {
  /** Intensities. */
  readonly voxels: ArrayLike<number>;
  /** [x, y, z] voxel counts. */
  readonly size: readonly [number, number, number];
  /** Voxel spacing in mm along x, y, z. */
  readonly spacingMm: readonly [number, number, number];
}

/** Feature families (pyradiomics class names). */
export type FeatureFamily = 'firstorder' | 'shape' | 'glcm' | 'glrlm' | 'glszm' | 'gldm' | 'ngtdm';

/** All families, in pyradiomics' order. */
export const FEATURE_FAMILIES: readonly FeatureFamily[] = ['firstorder', 'shape', 'glcm', 'glrlm', 'glszm', 'gldm', 'ngtdm'];

/** Settings (pyradiomics' parameter names). */
export interface RadiomicsSettings {
  /** Bin width for fixed-bin-size discretisation (default 25, as pyradiomics). Ignored when `binCount` is set. */
  readonly binWidth?: number;
  /** Fixed bin number discretisation. */
  readonly binCount?: number;
  /** Treat intensities as already-discrete grey levels (rounded); IBSI digital-phantom style. */
  readonly discretisation?: 'fixed-bin-width' | 'fixed-bin-count' | 'none';
  /** Added to intensities for Energy/TotalEnergy/RMS (default 0). */
  readonly voxelArrayShift?: number;
  /** Mask label that marks the region (default 1). */
  readonly label?: number;
  /** Families to compute (default all). */
  readonly families?: readonly FeatureFamily[];
  /** GLDM coarseness alpha (default 0). */
  readonly gldmA?: number;
  /**
   * Covariance normalisation for the PCA axis lengths: `N` as pyradiomics (default), `N-1` as the IBSI reference
   * values.
   */
  readonly pcaNormalisation?: 'N' | 'N-1';
  /** Kurtosis convention: `pyradiomics` (not excess, default) or `ibsi` (excess, minus 3). */
  readonly kurtosis?: 'pyradiomics' | 'ibsi';
  /**
   * 2-D texture (pyradiomics `force2D`): GLCM/GLRLM use only the 4 in-plane directions and GLSZM/GLDM/NGTDM the 8
   * in-plane neighbours, so texture never crosses slices. Shape and first-order stay 3-D.
   */
  readonly force2D?: boolean;
  /**
   * Axis normal to the 2-D planes, in pyradiomics' (z, y, x) array order: 0 = axial slices (default), 1 = coronal,
   * 2 = sagittal.
   */
  readonly force2Ddimension?: 0 | 1 | 2;
  /**
   * Re-segmentation (pyradiomics `resegmentRange`): drop region voxels below the first threshold and, when a second
   * is given, above it. Shape keeps the original mask (pyradiomics `resegmentShape: false`).
   */
  readonly resegmentRange?: readonly number[];
  /** How `resegmentRange` is read: `absolute` intensities (default), `relative` to the maximum, or `sigma` (mean ± k·SD). */
  readonly resegmentMode?: 'absolute' | 'relative' | 'sigma';
  /**
   * Direction aggregation of GLCM and GLRLM (pyradiomics `weightingNorm`): undefined averages the per-direction
   * features (default); `no_weighting` sums the matrices over directions first (IBSI "merged").
   */
  readonly weightingNorm?: 'no_weighting';
}

/** Feature values keyed `original_<family>_<Feature>`, as pyradiomics names them. */
export type RadiomicsFeatures = Record<string, number>;
