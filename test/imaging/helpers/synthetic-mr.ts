/**
 * Test fixture: writes small synthetic multi-frame 16-bit MR DICOM files with dcmjs (a bright ellipsoid "brain"
 * inside a darker shell on a zero background), so import and radiomics tests run on known pixels.
 */
import dcmjs from 'dcmjs';

/** Parameters of one synthetic MR instance. */
export interface SyntheticMrSpec {
  readonly rows?: number;
  readonly columns?: number;
  readonly frames?: number;
  readonly patientId?: string;
  readonly studyInstanceUID: string;
  readonly seriesInstanceUID: string;
  readonly sopInstanceUID: string;
  readonly studyDate?: string;
  /** Value added to every non-background voxel (changes content without changing geometry). */
  readonly offset?: number;
  /** Leave SOPClassUID out (to test the failure manifest). */
  readonly omitSopClass?: boolean;
  /** Leave PixelData out. */
  readonly omitPixels?: boolean;
}

/**
 * Builds the voxels of the synthetic MR (x fastest, then y, then z).
 *
 * @param spec - geometry and offset
 * @returns the voxels
 */
export function syntheticVoxels(spec: SyntheticMrSpec): Uint16Array {
  const rows = spec.rows ?? 32;
  const cols = spec.columns ?? 32;
  const frames = spec.frames ?? 8;
  const out = new Uint16Array(rows * cols * frames);
  for (let z = 0; z < frames; z++) {
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < cols; x++) {
        const dx = (x - cols / 2) / (cols * 0.4);
        const dy = (y - rows / 2) / (rows * 0.45);
        const dz = (z - frames / 2) / (frames * 0.45);
        const r = Math.sqrt(dx * dx + dy * dy + dz * dz);
        let v = 0;
        if (r < 0.8) {
          v = 800 + ((x * 7 + y * 13 + z * 5) % 50);
        } else if (r < 1) {
          v = 300 + ((x + y) % 20);
        }
        out[z * rows * cols + y * cols + x] = v === 0 ? 0 : v + (spec.offset ?? 0);
      }
    }
  }
  return out;
}

/**
 * Writes one synthetic MR as DICOM Part 10 bytes (Explicit VR Little Endian, Enhanced-free classic MR with
 * NumberOfFrames).
 *
 * @param spec - identifiers and geometry
 * @returns the file bytes
 */
export function writeSyntheticMr(spec: SyntheticMrSpec): Uint8Array {
  const rows = spec.rows ?? 32;
  const cols = spec.columns ?? 32;
  const frames = spec.frames ?? 8;
  const voxels = syntheticVoxels(spec);
  const ds: Record<string, unknown> = {
    SOPInstanceUID: spec.sopInstanceUID,
    StudyInstanceUID: spec.studyInstanceUID,
    SeriesInstanceUID: spec.seriesInstanceUID,
    PatientID: spec.patientId ?? 'P001',
    PatientName: 'Test^Synthetic',
    StudyDate: spec.studyDate ?? '20200102',
    StudyTime: '101500',
    StudyID: '1',
    AccessionNumber: 'A1',
    Modality: 'MR',
    SeriesNumber: 1,
    InstanceNumber: 1,
    Rows: rows,
    Columns: cols,
    NumberOfFrames: frames,
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    BitsAllocated: 16,
    BitsStored: 16,
    HighBit: 15,
    PixelRepresentation: 0,
    PixelSpacing: [1, 1],
    SliceThickness: 2,
    SpacingBetweenSlices: 2,
    ImageOrientationPatient: [1, 0, 0, 0, 1, 0],
    ImagePositionPatient: [0, 0, 0],
    _vrMap: { PixelData: 'OW' },
  };
  if (spec.omitSopClass !== true) {
    ds.SOPClassUID = '1.2.840.10008.5.1.4.1.1.4';
  }
  if (spec.omitPixels !== true) {
    ds.PixelData = [voxels.buffer];
  }
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: '1.2.840.10008.5.1.4.1.1.4',
    MediaStorageSOPInstanceUID: spec.sopInstanceUID,
    TransferSyntaxUID: '1.2.840.10008.1.2.1',
    ImplementationClassUID: '1.2.826.0.1.3680043.10.1.1',
  };
  const dict = new dcmjs.data.DicomDict(dcmjs.data.DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(ds);
  return new Uint8Array(dict.write());
}
