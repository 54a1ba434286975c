/* Minimal typings for the parts of dcmjs this library uses (dcmjs ships no declarations). */
declare module 'dcmjs' {
  /** A DICOM element in dcmjs' "denaturalized" form. */
  interface DcmjsElement {
    vr: string;
    Value?: unknown[];
    InlineBinary?: string;
  }
  /** The result of `DicomMessage.readFile`. */
  interface DcmjsDicomDict {
    meta: Record<string, DcmjsElement>;
    dict: Record<string, DcmjsElement>;
    write(options?: Record<string, unknown>): ArrayBuffer;
  }
  const dcmjs: {
    data: {
      DicomMessage: {
        readFile(buffer: ArrayBuffer, options?: Record<string, unknown>): DcmjsDicomDict;
      };
      DicomMetaDictionary: {
        naturalizeDataset(dict: Record<string, DcmjsElement>): Record<string, unknown>;
        denaturalizeDataset(ds: Record<string, unknown>): Record<string, DcmjsElement>;
        uid(): string;
      };
      DicomDict: new (meta: Record<string, DcmjsElement>) => DcmjsDicomDict & { dict: Record<string, DcmjsElement> };
    };
    log: { setLevel?(level: string): void; level?: unknown };
  };
  export default dcmjs;
}
