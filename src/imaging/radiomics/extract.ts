/**
 * The radiomics entry point: discretise a region once, compute the requested families, name the results as
 * pyradiomics does (`original_<family>_<Feature>`).
 */
import { firstOrderFeatures } from './firstorder';
import { glcmFeatures } from './glcm';
import { glrlmFeatures } from './glrlm';
import { gldmFeatures, glszmFeatures, ngtdmFeatures } from './neighbourhood';
import { discretiseRoi, resegmentMask } from './roi';
import { shapeFeatures } from './shape';
import { neighbourhoodMatrices, sizeZoneMatrix } from './texture-pass';
import type { FeatureFamily, RadiomicsFeatures, RadiomicsImage, RadiomicsSettings } from './types';
import { FEATURE_FAMILIES } from './types';

/**
 * Computes radiomics features of one region.
 *
 * @param image - image (x fastest)
 * @param mask - labels of the same size
 * @param settings - pyradiomics-style settings
 * @returns features keyed `original_<family>_<Feature>`
 * @throws {@link HealthDataError} (invalid-input) for mismatched sizes or an empty region
 * @example
 * ```ts
 * const f = computeRadiomics({ voxels, size: [128, 128, 64], spacingMm: [1, 1, 2] }, mask, { binWidth: 25 });
 * console.log(f.original_glcm_Contrast);
 * ```
 */
export function computeRadiomics(image: RadiomicsImage, mask: ArrayLike<number>, settings: RadiomicsSettings = {}): RadiomicsFeatures {
  const families = new Set<FeatureFamily>(settings.families ?? FEATURE_FAMILIES);
  const reseg = settings.resegmentRange === undefined ? undefined : resegmentMask(image, mask, settings);
  // the regions never leave this call: their arrays are per-thread scratch (one role each, both may be alive)
  const roi = discretiseRoi(image, reseg ?? mask, reseg === undefined ? settings : { ...settings, label: 1 }, 'radiomics region');
  const out: RadiomicsFeatures = {};
  const add = (family: FeatureFamily, values: Record<string, number>): void => {
    for (const [k, v] of Object.entries(values)) {
      out[`original_${family}_${k}`] = v;
    }
  };
  if (families.has('shape')) {
    add('shape', shapeFeatures(reseg === undefined ? roi : discretiseRoi(image, mask, { ...settings, resegmentRange: undefined }, 'radiomics shape region'), settings));
  }
  if (families.has('firstorder')) {
    add('firstorder', firstOrderFeatures(roi, settings));
  }
  const aggregation = settings.weightingNorm === 'no_weighting' ? 'merged' : 'averaged';
  const sweep = families.has('glcm') || families.has('gldm') || families.has('ngtdm') || families.has('glrlm') ? neighbourhoodMatrices(roi, settings.gldmA ?? 0) : undefined;
  if (sweep !== undefined && families.has('glcm')) {
    add('glcm', glcmFeatures(roi, aggregation, sweep.glcm));
  }
  if (sweep !== undefined && families.has('glrlm')) {
    add('glrlm', glrlmFeatures(roi, aggregation, sweep.glrlm));
  }
  if (families.has('glszm')) {
    add('glszm', glszmFeatures(roi, sizeZoneMatrix(roi)));
  }
  if (sweep !== undefined && families.has('gldm')) {
    add('gldm', gldmFeatures(roi, settings.gldmA ?? 0, sweep.gldm));
  }
  if (sweep !== undefined && families.has('ngtdm')) {
    add('ngtdm', ngtdmFeatures(roi, sweep.ngtdm));
  }
  return out;
}
