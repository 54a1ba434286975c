/**
 * Shared helpers of the cohort tests.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { removeAfterRun } from '../helpers/tmp';

/** A fresh temporary folder, removed after the test run. */
export function tmpDir(label: string): string {
  return removeAfterRun(fs.mkdtempSync(path.join(os.tmpdir(), `mmh-cohort-${label}-`)));
}

/** Every file under a folder, relative, sorted. */
export function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        walk(p);
      } else {
        out.push(path.relative(dir, p));
      }
    }
  };
  walk(dir);
  return out.sort();
}

/** SHA-256 over every file's relative path and bytes. */
export function hashTree(dir: string): string {
  const h = crypto.createHash('sha256');
  for (const f of listTree(dir)) {
    h.update(f);
    h.update(fs.readFileSync(path.join(dir, f)));
  }
  return h.digest('hex');
}

/** Minimal typing of dcmjs's reader, loaded with require (the package ships no types). */
interface DcmjsReader {
  data: {
    DicomMessage: { readFile(buffer: ArrayBuffer): { dict: Record<string, unknown> } };
    DicomMetaDictionary: { naturalizeDataset(dict: Record<string, unknown>): Record<string, unknown> };
  };
}

/** Reads a DICOM file's tags with dcmjs. */
export function readDicomTags(file: string): Record<string, unknown> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- dcmjs has no type declarations
  const dcmjs = require('dcmjs') as DcmjsReader;
  const b = fs.readFileSync(file);
  const parsed = dcmjs.data.DicomMessage.readFile(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  return dcmjs.data.DicomMetaDictionary.naturalizeDataset(parsed.dict);
}

/** True when a command exists on PATH. */
export function hasCommand(cmd: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((d) => fs.existsSync(path.join(d, cmd)));
}
