/**
 * Synthetic brain MRI for the Coherent-like cohort (issue 3): a seeded FLAIR-like phantom with planted disease effects,
 * written as one multi-frame Enhanced MR DICOM file per study, named like Coherent's `output/dicom` files.
 *
 * The cohort generator calls {@link writeMriStudy} and {@link mriUid}; the imaging store and radiomics (issue 6) read
 * the files and can use {@link synthesizeBrainVolume}'s labels as a known mask in tests. See README.md.
 */
export type { MriEffects, MriStudySpec, MriPhantomSpec } from './spec';
export { DEFAULT_MRI_SIZE, MAX_INFARCTS, MAX_MICROBLEEDS, MAX_MRI_DIMENSION, MAX_MRI_VOXELS, isValidDicomUid } from './spec';
export { synthesizeBrainVolume, MRI_LABEL, MRI_SIGNAL, MRI_NOISE_SIGMA, MRI_MAX_PIXEL, MRI_FOV_MM } from './phantom';
export type { BrainVolume, MriLabel, PlantedLesion } from './phantom';
export { writeMriStudy, encodeMriStudy, readMriStudy, ENHANCED_MR_IMAGE_STORAGE, EXPLICIT_VR_LITTLE_ENDIAN } from './dicom-writer';
export type { MriStudyReadBack } from './dicom-writer';
export { mriUid, mriFileName, SYNTHEA_UID_ROOT } from './uids';
export type { MriUidKind } from './uids';
export { countMriLabels } from './measure';
export type { MriLabelCounts, MriLabelName } from './measure';
