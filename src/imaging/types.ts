/**
 * The imaging datastore contract, shaped like AWS HealthImaging (datastores, DICOM import jobs with manifests,
 * image sets, image-set metadata JSON, HTJ2K frames). `local/` and `aws/` implement it.
 */
import type { ProgressReporter } from '../progress';

/** Datastore states (HealthImaging `ImagingDatastoreStatus`). */
export type ImagingDatastoreStatus = 'CREATING' | 'CREATE_FAILED' | 'ACTIVE' | 'DELETING' | 'DELETED';
/** Import job states (HealthImaging `JobStatus`). */
export type DicomImportJobStatus = 'SUBMITTED' | 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

/** A datastore, as `GetDatastore` describes it. */
export interface ImagingDatastoreProperties {
  /** 32 lowercase hex/alnum characters. */
  readonly datastoreId: string;
  /** Name given at creation. */
  readonly datastoreName: string;
  /** State. */
  readonly datastoreStatus: ImagingDatastoreStatus;
  /** ISO time. */
  readonly createdAt: string;
}

/** Input of `startDICOMImportJob`: a local folder (local backend) or an S3 prefix (AWS backend). */
export interface StartDicomImportJobRequest {
  /** Target datastore. */
  readonly datastoreId: string;
  /** Optional job name. */
  readonly jobName?: string;
  /** Local folder scanned recursively (local backend). */
  readonly inputDir?: string;
  /** S3 prefix (AWS backend). */
  readonly inputS3Uri?: string;
  /** Local folder for the job output (local backend; default `<workspace>/imaging/import-output`). */
  readonly outputDir?: string;
  /** S3 prefix for the job output (AWS backend). */
  readonly outputS3Uri?: string;
  /** IAM role HealthImaging assumes (AWS backend; default the workspace's roleArn). */
  readonly dataAccessRoleArn?: string;
}

/** What `startDICOMImportJob` returns. */
export interface StartDicomImportJobResponse {
  /** Datastore. */
  readonly datastoreId: string;
  /** Job id. */
  readonly jobId: string;
  /** Initial state (SUBMITTED). */
  readonly jobStatus: DicomImportJobStatus;
  /** ISO time. */
  readonly submittedAt: string;
}

/** `GetDICOMImportJob`'s `jobProperties`. */
export interface DicomImportJobProperties {
  /** Job id. */
  readonly jobId: string;
  /** Job name. */
  readonly jobName: string;
  /** State. */
  readonly jobStatus: DicomImportJobStatus;
  /** Datastore. */
  readonly datastoreId: string;
  /** Where the input was read. */
  readonly inputS3Uri: string;
  /** Where the output was written (the job folder is `<outputS3Uri>/<datastoreId>-DicomImport-<jobId>/`). */
  readonly outputS3Uri: string;
  /** ISO times. */
  readonly submittedAt: string;
  /** ISO time the job ended. */
  readonly endedAt?: string;
  /** Why a job FAILED as a whole. */
  readonly message?: string;
}

/** One image set touched by an import (`jobSummary.imageSetsSummary[]`). */
export interface ImageSetSummaryEntry {
  /** Image set id. */
  readonly imageSetId: string;
  /** Version after the import. */
  readonly imageSetVersion: number;
  /** Primary or not. */
  readonly isPrimary: boolean;
  /** SOP instances of this job that went into the set. */
  readonly numberOfMatchedSOPInstances: number;
}

/** `job-output-manifest.json`. */
export interface DicomJobOutputManifest {
  /** The summary. */
  readonly jobSummary: {
    readonly jobId: string;
    readonly datastoreId: string;
    readonly inputS3Uri: string;
    readonly outputS3Uri: string;
    readonly successOutputS3Uri: string;
    readonly failureOutputS3Uri: string;
    readonly numberOfScannedFiles: number;
    readonly numberOfImportedFiles: number;
    readonly numberOfFilesWithCustomerError: number;
    readonly numberOfFilesWithServerError: number;
    readonly numberOfGeneratedImageSets: number;
    readonly imageSetsSummary: readonly ImageSetSummaryEntry[];
  };
}

/** A line of `SUCCESS/success.ndjson`. */
export interface DicomImportSuccessLine {
  /** File path relative to the input prefix. */
  readonly inputFile: string;
  /** The image set it landed in. */
  readonly importResponse: { readonly imageSetId: string; readonly isPrimary: boolean };
}

/** A line of `FAILURE/failure.ndjson`. */
export interface DicomImportFailureLine {
  /** File path relative to the input prefix. */
  readonly inputFile: string;
  /** Why. */
  readonly exception: { readonly exceptionType: string; readonly message: string };
}

/** A finished import, read back from its output folder. */
export interface DicomImportJobReport {
  /** Job properties. */
  readonly job: DicomImportJobProperties;
  /** `job-output-manifest.json` (absent when the job FAILED before writing it). */
  readonly manifest: DicomJobOutputManifest | undefined;
  /** SUCCESS lines. */
  readonly successes: readonly DicomImportSuccessLine[];
  /** FAILURE lines. */
  readonly failures: readonly DicomImportFailureLine[];
  /** Where the job folder is (local path or S3 URI). */
  readonly outputLocation: string;
}

/** One frame entry of the metadata. */
export interface ImageFrameMetadata {
  /** Frame id (32 hex). */
  readonly ID: string;
  /** CRC32 of the decoded pixels per resolution level; the last one is full resolution. */
  readonly PixelDataChecksumFromBaseToFullResolution: readonly { readonly Width: number; readonly Height: number; readonly Checksum: number }[];
  /** Minimum stored value. */
  readonly MinPixelValue: number;
  /** Maximum stored value. */
  readonly MaxPixelValue: number;
  /** Decoded size. */
  readonly FrameSizeInBytes: number;
}

/** One instance in the metadata. */
export interface InstanceMetadata {
  /** Instance-level DICOM attributes (keyword → value). */
  readonly DICOM: Record<string, unknown>;
  /** Value representations of private/unknown attributes (kept empty here). */
  readonly DICOMVRs: Record<string, string>;
  /** Transfer syntax the frames are stored in. */
  readonly StoredTransferSyntaxUID: string;
  /** Frames. */
  readonly ImageFrames: readonly ImageFrameMetadata[];
}

/** `GetImageSetMetadata` JSON (after gunzip). */
export interface ImageSetMetadata {
  /** Schema version. */
  readonly SchemaVersion: string;
  /** Datastore. */
  readonly DatastoreID: string;
  /** Image set. */
  readonly ImageSetID: string;
  /** Patient-level attributes. */
  readonly Patient: { readonly DICOM: Record<string, unknown> };
  /** Study-level attributes and the series. */
  readonly Study: {
    readonly DICOM: Record<string, unknown>;
    readonly Series: Record<string, { readonly DICOM: Record<string, unknown>; readonly Instances: Record<string, InstanceMetadata> }>;
  };
}

/** A value of a search filter (exactly one field set), as HealthImaging's `SearchByAttributeValue`. */
export type SearchValue =
  | { readonly DICOMPatientId: string }
  | { readonly DICOMAccessionNumber: string }
  | { readonly DICOMStudyId: string }
  | { readonly DICOMStudyInstanceUID: string }
  | { readonly DICOMSeriesInstanceUID: string }
  | { readonly createdAt: Date }
  | { readonly updatedAt: Date }
  | { readonly DICOMStudyDateAndTime: { readonly DICOMStudyDate: string; readonly DICOMStudyTime?: string } }
  | { readonly isPrimary: boolean };

/** One search filter. */
export interface SearchFilter {
  /** One value for EQUAL, two (lower, upper) for BETWEEN. */
  readonly values: readonly SearchValue[];
  /** Operator. */
  readonly operator: 'EQUAL' | 'BETWEEN';
}

/** `SearchImageSets` criteria. */
export interface SearchCriteria {
  /** Filters, all of which must hold. */
  readonly filters?: readonly SearchFilter[];
  /** Sort (default updatedAt DESC). */
  readonly sort?: { readonly sortField: 'updatedAt' | 'createdAt' | 'DICOMStudyDateAndTime'; readonly sortOrder: 'ASC' | 'DESC' };
}

/** `imageSetsMetadataSummaries[]` entry. */
export interface ImageSetSummary {
  /** Image set id. */
  readonly imageSetId: string;
  /** Current version. */
  readonly version: number;
  /** ISO times. */
  readonly createdAt: string;
  /** ISO time of the last change. */
  readonly updatedAt: string;
  /** Primary or not. */
  readonly isPrimary: boolean;
  /** The normalized tags. */
  readonly DICOMTags: {
    readonly DICOMPatientId?: string;
    readonly DICOMPatientName?: string;
    readonly DICOMPatientBirthDate?: string;
    readonly DICOMPatientSex?: string;
    readonly DICOMStudyInstanceUID?: string;
    readonly DICOMStudyId?: string;
    readonly DICOMStudyDescription?: string;
    readonly DICOMAccessionNumber?: string;
    readonly DICOMStudyDate?: string;
    readonly DICOMStudyTime?: string;
    readonly DICOMSeriesInstanceUID?: string;
    readonly DICOMSeriesModality?: string;
    readonly DICOMSeriesNumber?: number;
    readonly DICOMNumberOfStudyRelatedInstances?: number;
  };
}

/** `GetImageFrame` result. */
export interface ImageFrame {
  /** The codestream. */
  readonly imageFrameBlob: Uint8Array;
  /** `image/jph` for HTJ2K. */
  readonly contentType: string;
}

/** A decoded image set as a 3-D array (x fastest, then y, then z). */
export interface Volume {
  /** Voxel values after RescaleSlope/Intercept. */
  readonly voxels: Float32Array;
  /** [columns, rows, slices]. */
  readonly size: readonly [number, number, number];
  /** Spacing in mm along x (columns), y (rows), z (slices). */
  readonly spacingMm: readonly [number, number, number];
  /** Patient position of the first voxel (mm), [0,0,0] when unknown. */
  readonly origin: readonly [number, number, number];
  /** Direction cosines: row direction, column direction, slice normal (9 numbers). */
  readonly direction: readonly number[];
}

/** Options for long calls. */
export interface ImagingCallOptions {
  /** Progress reporter (default the workspace's). */
  readonly progress?: ProgressReporter;
}

/** The imaging datastore (`ws.imaging`). */
export interface ImagingStore {
  /** Backend. */
  readonly backend: 'local' | 'aws';
  /**
   * Creates a datastore.
   *
   * @param name - datastore name
   * @returns its id and status
   */
  createDatastore(name: string): Promise<{ datastoreId: string; datastoreStatus: ImagingDatastoreStatus }>;
  /**
   * Describes a datastore.
   *
   * @param datastoreId - id
   * @returns its properties
   */
  getDatastore(datastoreId: string): Promise<ImagingDatastoreProperties>;
  /**
   * Finds the ACTIVE datastore with this name, or creates it and waits until ACTIVE.
   *
   * @param name - datastore name
   * @returns the datastore id
   */
  ensureDatastore(name: string): Promise<string>;
  /**
   * Starts a DICOM import job (asynchronous, as HealthImaging).
   *
   * @param request - input and output locations
   * @returns the job id and SUBMITTED status
   */
  startDICOMImportJob(request: StartDicomImportJobRequest): Promise<StartDicomImportJobResponse>;
  /**
   * Describes an import job.
   *
   * @param datastoreId - datastore
   * @param jobId - job
   * @returns job properties
   */
  getDICOMImportJob(datastoreId: string, jobId: string): Promise<DicomImportJobProperties>;
  /**
   * Polls an import job with backoff until it ends, then reads its manifest and NDJSON outputs.
   *
   * @param datastoreId - datastore
   * @param jobId - job
   * @param options - progress
   * @returns the report
   */
  waitForDICOMImportJob(datastoreId: string, jobId: string, options?: ImagingCallOptions): Promise<DicomImportJobReport>;
  /**
   * Searches image sets.
   *
   * @param datastoreId - datastore
   * @param criteria - filters and sort
   * @returns every matching summary (all pages)
   */
  searchImageSets(datastoreId: string, criteria?: SearchCriteria): Promise<ImageSetSummary[]>;
  /**
   * Reads an image set's metadata document.
   *
   * @param datastoreId - datastore
   * @param imageSetId - image set
   * @param versionId - version (default latest)
   * @returns the metadata
   */
  getImageSetMetadata(datastoreId: string, imageSetId: string, versionId?: number): Promise<ImageSetMetadata>;
  /**
   * Reads one frame, HTJ2K-encoded.
   *
   * @param datastoreId - datastore
   * @param imageSetId - image set
   * @param imageFrameId - frame id from the metadata
   * @returns the codestream and its content type
   */
  getImageFrame(datastoreId: string, imageSetId: string, imageFrameId: string): Promise<ImageFrame>;
  /**
   * Decodes every frame of an image set into a volume.
   *
   * @param datastoreId - datastore
   * @param imageSetId - image set
   * @returns the volume
   */
  getVolume(datastoreId: string, imageSetId: string): Promise<Volume>;
}
