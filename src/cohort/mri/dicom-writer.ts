/**
 * Writes a synthesized brain volume as one Enhanced MR Image Storage instance (multi-frame, DICOM Part 10, explicit
 * VR little endian, uncompressed) with dcmjs, and reads such a file back.
 *
 * Why Enhanced MR (1.2.840.10008.5.1.4.1.1.4.1) rather than classic MR + NumberOfFrames: the classic MR Image IOD has
 * no multi-frame module, so per-frame positions would have nowhere standard to live; the Enhanced IOD carries them in
 * per-frame functional groups (PS3.3 C.7.6.16), and it is on AWS HealthImaging's list of supported SOP classes.
 * Geometry therefore sits where PS3.3 puts it: PixelSpacing, SliceThickness and SpacingBetweenSlices in the shared
 * Pixel Measures group, ImageOrientationPatient in the shared Plane Orientation group, and one ImagePositionPatient
 * per frame in the per-frame Plane Position group — not at the top level.
 *
 * dcmjs encodes every attribute; the Pixel Data element (7FE0,0010), always the last one, is appended by hand in the
 * same explicit-VR-little-endian encoding (tag, "OW", 2 reserved bytes, 32-bit length, PS3.5 §7.1.2), because
 * dcmjs's growable write buffer copies the pixels several times (measured ~17 ms of ~41 ms for a 2 MiB volume).
 */
import { endianness } from 'node:os';
import { HealthDataError } from '../../errors';
import { dcmjsData } from './dcmjs-api';
import type { NaturalDataset } from './dcmjs-api';
import { MRI_MAX_PIXEL, round6, synthesizeBrainVolume } from './phantom';
import type { BrainVolume } from './phantom';
import { validateStudySpec } from './spec';
import type { MriStudySpec } from './spec';
import { MRI_IMPLEMENTATION_CLASS_UID, derivedUid } from './uids';

/** Enhanced MR Image Storage. */
export const ENHANCED_MR_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.4.1';

/** Explicit VR Little Endian. */
export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';

/** Our ImplementationVersionName (SH, ≤ 16 characters). */
export const MRI_IMPLEMENTATION_VERSION = 'MMH_MRI_1';

/** Display window for the FLAIR-like contrast (CSF ≈ 90 … WMH ≈ 1450). */
const WINDOW: readonly [number, number] = [750, 1500];

/**
 * Synthesizes the phantom for a study spec and writes it as one multi-frame MR DICOM Part 10 file.
 *
 * @param spec - seed, size, effects, patient and study identifiers
 * @returns the file bytes; the same spec always gives byte-identical bytes
 * @throws {@link HealthDataError} (invalid-input) naming the bad spec field
 * @example
 * ```ts
 * const bytes = writeMriStudy({
 *   seed: 7, effects: { atrophy: 0.4, ventricleEnlargement: 0.3, infarcts: 1, wmhLoad: 0.2, microbleeds: 2 },
 *   patientId: 'b1f6…', patientName: 'Kerluke267^Maurice742', birthDate: '19470312', sex: 'M',
 *   studyInstanceUid: mriUid(42, 'study', 7), seriesInstanceUid: mriUid(42, 'series', 7), studyDate: '20190412',
 * });
 * ```
 */
export function writeMriStudy(spec: MriStudySpec): Uint8Array {
  validateStudySpec(spec);
  return encodeMriStudy(spec, synthesizeBrainVolume(spec));
}

/**
 * Encodes an already synthesized volume for a study spec (the second half of {@link writeMriStudy}).
 *
 * @param spec - the study spec (validated here)
 * @param volume - the volume to write (its size need not match `spec.size`; the volume wins)
 * @returns the DICOM Part 10 bytes
 * @throws {@link HealthDataError} (invalid-input) for a bad spec or a pixel value above 4095
 */
export function encodeMriStudy(spec: MriStudySpec, volume: BrainVolume): Uint8Array {
  validateStudySpec(spec);
  const [nx, ny, nz] = volume.size;
  if (volume.voxels.length !== nx * ny * nz) {
    throw new HealthDataError('invalid-input', `encodeMriStudy: volume has ${volume.voxels.length} voxels but size ${nx}×${ny}×${nz} needs ${nx * ny * nz}`, { path: 'volume.voxels' });
  }
  const sopInstanceUid = spec.sopInstanceUid ?? derivedUid(spec.seed, '1.1', spec.seriesInstanceUid);
  const meta: NaturalDataset = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: ENHANCED_MR_IMAGE_STORAGE,
    MediaStorageSOPInstanceUID: sopInstanceUid,
    TransferSyntaxUID: EXPLICIT_VR_LITTLE_ENDIAN,
    ImplementationClassUID: MRI_IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: MRI_IMPLEMENTATION_VERSION,
  };
  const dataset = buildDataset(spec, volume, sopInstanceUid);
  const dict = new dcmjsData.DicomDict(dcmjsData.DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = dcmjsData.DicomMetaDictionary.denaturalizeDataset(dataset);
  const header = new Uint8Array(dict.write());
  return appendPixelData(header, volume.voxels);
}

function isAscii(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /^[\u0000-\u007f]*$/.test(text);
}

/** Patient, study, series and equipment attributes and the MR acquisition description (FLAIR, 3-D, 3 T). */
function studyAndAcquisitionAttributes(spec: MriStudySpec, sopInstanceUid: string): NaturalDataset {
  const time = spec.studyTime ?? '120000';
  const text = [spec.patientName, spec.patientId, spec.accessionNumber ?? ''].join('');
  return {
    _vrMap: { PixelData: 'OW' },
    ...(isAscii(text) ? {} : { SpecificCharacterSet: 'ISO_IR 192' }),
    ImageType: ['ORIGINAL', 'PRIMARY', 'VOLUME', 'NONE'],
    SOPClassUID: ENHANCED_MR_IMAGE_STORAGE,
    SOPInstanceUID: sopInstanceUid,
    StudyDate: spec.studyDate,
    SeriesDate: spec.studyDate,
    ContentDate: spec.studyDate,
    AcquisitionDateTime: `${spec.studyDate}${time}`,
    StudyTime: time,
    SeriesTime: time,
    ContentTime: time,
    AccessionNumber: spec.accessionNumber ?? '',
    Modality: 'MR',
    Manufacturer: 'multimodal-health',
    ReferringPhysicianName: '',
    StudyDescription: 'MRI of head',
    SeriesDescription: 'AX 3D FLAIR synthetic phantom',
    ManufacturerModelName: 'mmh brain phantom',
    PatientName: spec.patientName,
    PatientID: spec.patientId,
    PatientBirthDate: spec.birthDate,
    PatientSex: spec.sex,
    // (0008,001C) Synthetic Data: these pixels come from a phantom, not a scanner.
    SyntheticData: 'YES',
    BodyPartExamined: 'HEAD',
    MRAcquisitionType: '3D',
    MagneticFieldStrength: 3,
    SoftwareVersions: MRI_IMPLEMENTATION_VERSION,
    PatientPosition: 'HFS',
    ContentQualification: 'RESEARCH',
    PulseSequenceName: 'SYNTH_FLAIR3D',
    EchoPulseSequence: 'SPIN',
    MultipleSpinEcho: 'NO',
    MultiPlanarExcitation: 'NO',
    PhaseContrast: 'NO',
    TimeOfFlightContrast: 'NO',
    SteadyStatePulseSequence: 'NONE',
    EchoPlanarPulseSequence: 'NO',
    SaturationRecovery: 'NO',
    SpectrallySelectedSuppression: 'NONE',
    GeometryOfKSpaceTraversal: 'RECTILINEAR',
    SegmentedKSpaceTraversal: 'SINGLE',
    RectilinearPhaseEncodeReordering: 'LINEAR',
    ResonantNucleus: '1H',
    KSpaceFiltering: 'NONE',
    ApplicableSafetyStandardAgency: 'IEC',
  };
}

/** UIDs, image pixel description and the multi-frame dimension organisation (one stack, in-stack position). */
function imageAttributes(spec: MriStudySpec, volume: BrainVolume): NaturalDataset {
  const [nx, ny, nz] = volume.size;
  const frameOfReferenceUid = derivedUid(spec.seed, '2', spec.seriesInstanceUid);
  const dimensionOrganizationUid = derivedUid(spec.seed, '3', spec.seriesInstanceUid);
  return {
    StudyInstanceUID: spec.studyInstanceUid,
    SeriesInstanceUID: spec.seriesInstanceUid,
    StudyID: '1',
    SeriesNumber: 1,
    InstanceNumber: 1,
    FrameOfReferenceUID: frameOfReferenceUid,
    PositionReferenceIndicator: '',
    ImageComments: 'Synthetic brain phantom (multimodal-health); not a patient image.',
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    NumberOfFrames: nz,
    Rows: ny,
    Columns: nx,
    BitsAllocated: 16,
    BitsStored: 12,
    HighBit: 11,
    PixelRepresentation: 0,
    BurnedInAnnotation: 'NO',
    LossyImageCompression: '00',
    PresentationLUTShape: 'IDENTITY',
    PixelPresentation: 'MONOCHROME',
    VolumetricProperties: 'VOLUME',
    VolumeBasedCalculationTechnique: 'NONE',
    ComplexImageComponent: 'MAGNITUDE',
    AcquisitionContrast: 'FLAIR',
    DimensionOrganizationType: '3D',
    DimensionOrganizationSequence: [{ DimensionOrganizationUID: dimensionOrganizationUid }],
    DimensionIndexSequence: [
      {
        DimensionOrganizationUID: dimensionOrganizationUid,
        DimensionIndexPointer: 0x00209056, // Stack ID
        FunctionalGroupPointer: 0x00209111, // Frame Content Sequence
        DimensionDescriptionLabel: 'Stack ID',
      },
      {
        DimensionOrganizationUID: dimensionOrganizationUid,
        DimensionIndexPointer: 0x00209057, // In-Stack Position Number
        FunctionalGroupPointer: 0x00209111,
        DimensionDescriptionLabel: 'In-Stack Position Number',
      },
    ],
  };
}

/** The functional groups every frame shares: pixel measures, orientation, VOI window, anatomy, MR parameters. */
function sharedFunctionalGroup(volume: BrainVolume): NaturalDataset {
  const [nx, ny, nz] = volume.size;
  const [dx, dy, dz] = volume.spacingMm;
  return {
    // PixelSpacing is (row spacing = between rows = y, column spacing = between columns = x), PS3.3 10.7.1.3.
    PixelMeasuresSequence: [{ PixelSpacing: [dy, dx], SliceThickness: dz, SpacingBetweenSlices: dz }],
    // Rows run along +x (patient left), columns along +y (posterior): axial slices, LPS.
    PlaneOrientationSequence: [{ ImageOrientationPatient: [1, 0, 0, 0, 1, 0] }],
    PixelValueTransformationSequence: [{ RescaleIntercept: 0, RescaleSlope: 1, RescaleType: 'US' }],
    FrameVOILUTSequence: [{ WindowCenter: WINDOW[0], WindowWidth: WINDOW[1], WindowCenterWidthExplanation: 'BRAIN' }],
    FrameAnatomySequence: [
      {
        AnatomicRegionSequence: [{ CodeValue: '12738006', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Brain' }],
        FrameLaterality: 'B',
      },
    ],
    MRImageFrameTypeSequence: [
      {
        FrameType: ['ORIGINAL', 'PRIMARY', 'VOLUME', 'NONE'],
        PixelPresentation: 'MONOCHROME',
        VolumetricProperties: 'VOLUME',
        VolumeBasedCalculationTechnique: 'NONE',
        ComplexImageComponent: 'MAGNITUDE',
        AcquisitionContrast: 'FLAIR',
      },
    ],
    // A 3-D FLAIR: long TR, long TE, inversion time that nulls CSF (see phantom.ts for the contrast model).
    MRTimingAndRelatedParametersSequence: [{ RepetitionTime: 9000, FlipAngle: 90, EchoTrainLength: 1, RFEchoTrainLength: 1, GradientEchoTrainLength: 0 }],
    MREchoSequence: [{ EffectiveEchoTime: 120 }],
    MRModifierSequence: [
      {
        InversionRecovery: 'YES',
        InversionTimes: [2500],
        FlowCompensation: 'NONE',
        Spoiling: 'NONE',
        T2Preparation: 'NO',
        SpectrallySelectedExcitation: 'NONE',
        SpatialPresaturation: 'NONE',
        PartialFourier: 'NO',
      },
    ],
    MRFOVGeometrySequence: [
      {
        InPlanePhaseEncodingDirection: 'ROW',
        MRAcquisitionFrequencyEncodingSteps: nx,
        MRAcquisitionPhaseEncodingStepsInPlane: ny,
        MRAcquisitionPhaseEncodingStepsOutOfPlane: nz,
        PercentSampling: 100,
        PercentPhaseFieldOfView: 100,
      },
    ],
    MRAveragesSequence: [{ NumberOfAverages: 1 }],
  };
}

/** Per frame: its in-stack position and the patient position of its first voxel. */
function perFrameFunctionalGroups(volume: BrainVolume): NaturalDataset[] {
  const nz = volume.size[2];
  const dz = volume.spacingMm[2];
  const [ox, oy, oz] = volume.originMm;
  const perFrame: NaturalDataset[] = new Array<NaturalDataset>(nz);
  for (let k = 0; k < nz; k++) {
    perFrame[k] = {
      FrameContentSequence: [{ StackID: '1', InStackPositionNumber: k + 1, DimensionIndexValues: [1, k + 1] }],
      PlanePositionSequence: [{ ImagePositionPatient: [ox, oy, round6(oz + k * dz)] }],
    };
  }
  return perFrame;
}

function buildDataset(spec: MriStudySpec, volume: BrainVolume, sopInstanceUid: string): NaturalDataset {
  const dataset: NaturalDataset = {
    ...studyAndAcquisitionAttributes(spec, sopInstanceUid),
    ...imageAttributes(spec, volume),
    SharedFunctionalGroupsSequence: [sharedFunctionalGroup(volume)],
    PerFrameFunctionalGroupsSequence: perFrameFunctionalGroups(volume),
  };
  return dataset;
}

/** Appends (7FE0,0010) OW with the pixels, little endian, after the dcmjs-encoded attributes. */
function appendPixelData(header: Uint8Array, voxels: Uint16Array): Uint8Array {
  const byteLength = voxels.length * 2;
  if (byteLength > 0xfffffffe) {
    throw new HealthDataError('invalid-input', `encodeMriStudy: ${byteLength} pixel bytes exceed a 32-bit element length`, {
      path: 'volume.voxels',
    });
  }
  const out = new Uint8Array(header.length + 12 + byteLength);
  out.set(header, 0);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let at = header.length;
  view.setUint16(at, 0x7fe0, true);
  view.setUint16(at + 2, 0x0010, true);
  out[at + 4] = 0x4f; // 'O'
  out[at + 5] = 0x57; // 'W'
  view.setUint16(at + 6, 0, true);
  view.setUint32(at + 8, byteLength, true);
  at += 12;
  // BitsStored is 12: OR every pixel together (branch-free), and look for the culprit only if a high bit is set.
  let bits = 0;
  for (let i = 0; i < voxels.length; i++) {
    bits |= voxels[i] as number;
  }
  if (bits > MRI_MAX_PIXEL) {
    const i = voxels.findIndex((v) => v > MRI_MAX_PIXEL);
    throw new HealthDataError('invalid-input', `encodeMriStudy: pixel ${i} is ${voxels[i]}, above BitsStored 12 (4095)`, {
      path: 'volume.voxels',
    });
  }
  if (endianness() === 'LE') {
    out.set(new Uint8Array(voxels.buffer, voxels.byteOffset, byteLength), at);
  } else {
    for (let i = 0; i < voxels.length; i++) {
      view.setUint16(at + 2 * i, voxels[i] as number, true);
    }
  }
  return out;
}

/** A multi-frame MR file read back with dcmjs. */
export interface MriStudyReadBack {
  /** The naturalized dataset without PixelData (dcmjs keywords). */
  readonly dataset: NaturalDataset;
  /** The file meta information, naturalized. */
  readonly meta: NaturalDataset;
  /** Columns, rows, frames. */
  readonly size: [number, number, number];
  /** Column spacing (x), row spacing (y), slice spacing (z) in mm, from the Pixel Measures functional group. */
  readonly spacingMm: [number, number, number];
  /** ImagePositionPatient of every frame, in frame order. */
  readonly positionsMm: [number, number, number][];
  /** Pixels, x fastest, then y, then frame. */
  readonly voxels: Uint16Array;
}

function first(value: unknown, what: string): NaturalDataset {
  const item = Array.isArray(value) ? (value[0] as unknown) : value;
  if (typeof item !== 'object' || item === null) {
    throw new HealthDataError('invalid-input', `readMriStudy: ${what} is missing; is this an Enhanced MR file from writeMriStudy?`, {
      path: what,
    });
  }
  return item as NaturalDataset;
}

function numbers(value: unknown, n: number, what: string): number[] {
  const arr = (Array.isArray(value) ? value : [value]).map(Number);
  if (arr.length < n || arr.some((v) => !Number.isFinite(v))) {
    throw new HealthDataError('invalid-input', `readMriStudy: ${what} ${JSON.stringify(value)} is not ${n} numbers`, { path: what });
  }
  return arr;
}

/**
 * Reads a file written by {@link writeMriStudy} (or any uncompressed 16-bit Enhanced MR) back with dcmjs.
 *
 * @param bytes - the Part 10 file
 * @returns dataset, geometry and pixels
 * @throws {@link HealthDataError} (invalid-input) when the file is not an uncompressed 16-bit multi-frame MR
 */
export function readMriStudy(bytes: Uint8Array): MriStudyReadBack {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  let parsed: ReturnType<typeof dcmjsData.DicomMessage.readFile>;
  try {
    parsed = dcmjsData.DicomMessage.readFile(buffer as ArrayBuffer);
  } catch (cause) {
    throw new HealthDataError('invalid-input', `readMriStudy: dcmjs could not parse the ${bytes.length}-byte file`, { cause });
  }
  const dataset = dcmjsData.DicomMetaDictionary.naturalizeDataset(parsed.dict);
  const meta = dcmjsData.DicomMetaDictionary.naturalizeDataset(parsed.meta);
  const columns = Number(dataset.Columns);
  const rows = Number(dataset.Rows);
  const frames = Number(dataset.NumberOfFrames ?? 1);
  if (Number(dataset.BitsAllocated) !== 16 || meta.TransferSyntaxUID !== EXPLICIT_VR_LITTLE_ENDIAN) {
    throw new HealthDataError(
      'unsupported',
      `readMriStudy: expected 16-bit explicit VR little endian, got BitsAllocated ${String(dataset.BitsAllocated)} and transfer syntax ${String(meta.TransferSyntaxUID)}`,
    );
  }
  const shared = first(dataset.SharedFunctionalGroupsSequence, 'SharedFunctionalGroupsSequence');
  const measures = first(shared.PixelMeasuresSequence, 'PixelMeasuresSequence');
  const [rowSpacing, colSpacing] = numbers(measures.PixelSpacing, 2, 'PixelSpacing') as [number, number];
  const [sliceSpacing] = numbers(measures.SpacingBetweenSlices ?? measures.SliceThickness, 1, 'SpacingBetweenSlices') as [number];
  const perFrame = Array.isArray(dataset.PerFrameFunctionalGroupsSequence)
    ? (dataset.PerFrameFunctionalGroupsSequence as NaturalDataset[])
    : [first(dataset.PerFrameFunctionalGroupsSequence, 'PerFrameFunctionalGroupsSequence')];
  const positionsMm = perFrame.map((item) => {
    const p = first(item.PlanePositionSequence, 'PlanePositionSequence');
    return numbers(p.ImagePositionPatient, 3, 'ImagePositionPatient').slice(0, 3) as [number, number, number];
  });
  const pixelParts = dataset.PixelData;
  const part = Array.isArray(pixelParts) ? (pixelParts[0] as unknown) : pixelParts;
  if (!(part instanceof ArrayBuffer) || part.byteLength !== columns * rows * frames * 2) {
    throw new HealthDataError('invalid-input', `readMriStudy: PixelData should hold ${columns * rows * frames * 2} bytes for ${columns}×${rows}×${frames}`, { path: 'PixelData' });
  }
  let voxels: Uint16Array;
  if (endianness() === 'LE') {
    voxels = new Uint16Array(part);
  } else {
    voxels = new Uint16Array(columns * rows * frames);
    const view = new DataView(part);
    for (let i = 0; i < voxels.length; i++) {
      voxels[i] = view.getUint16(2 * i, true);
    }
  }
  const rest: NaturalDataset = { ...dataset };
  delete rest.PixelData;
  return {
    dataset: rest,
    meta,
    size: [columns, rows, frames],
    spacingMm: [colSpacing, rowSpacing, sliceSpacing],
    positionsMm,
    voxels,
  };
}
