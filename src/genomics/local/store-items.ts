/**
 * What a local variant or annotation store has imported, per source: `items.json` (a snapshot) and `items.jsonl` (a
 * journal). Each committed chunk of a job appends one line with its entries, so a commit costs its own entries
 * instead of rewriting every entry of the store (at 63,000 sources the snapshot is 40 MB, and rewriting it per chunk
 * made an import's time grow with the square of the store's size). The journal is folded into the snapshot when it
 * has grown as large as the snapshot, so reads stay proportional to the store. A later line wins over an earlier one
 * and over the snapshot; a kill during an append leaves a partial last line, which is ignored: its sources have no
 * entry, so the next import converts them again (their data files are replaced).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJson, writeJson } from './json-files';

/** The record of one imported source. */
export interface StoredItem {
  /** Absolute path of the source. */
  readonly source: string;
  /** SHA-256 of the source's bytes when imported. */
  readonly sha256: string;
  /** The data file written for it. */
  readonly file: string;
  /** The job that imported it. */
  readonly jobId: string;
  /** Rows stored (one per sample and record). */
  readonly rows: number;
  /** Records read. */
  readonly records: number;
  /** Lines read. */
  readonly lines: number;
  /** Records rejected. */
  readonly rejected: number;
  /** Sample names of the header. */
  readonly samples: readonly string[];
  /** Whether it was read in strict mode (a change of mode re-reads the file). */
  readonly strict: boolean;
  /** `##fileDate` of the VCF, when present (the genetic test date for features). */
  readonly fileDate?: string;
  /** Header errors read past in lenient mode. */
  readonly headerErrors?: number;
  /** The first header error's line and reason. */
  readonly headerFault?: string;
}

/** Snapshot file name in a store's folder. */
export const ITEMS_SNAPSHOT = 'items.json';
/** Journal file name in a store's folder. */
export const ITEMS_JOURNAL = 'items.jsonl';

/**
 * Starts an empty record for a new store (an empty snapshot, no journal).
 *
 * @param storeDir - the store's folder
 */
export function createStoreItems(storeDir: string): void {
  writeJson(path.join(storeDir, ITEMS_SNAPSHOT), {});
  fs.rmSync(path.join(storeDir, ITEMS_JOURNAL), { force: true });
}

/**
 * Reads a store's items: the snapshot, then every complete journal line over it.
 *
 * @param storeDir - the store's folder
 * @returns the items keyed by source path
 */
export function readStoreItems(storeDir: string): Record<string, StoredItem> {
  const items = readJson<Record<string, StoredItem>>(path.join(storeDir, ITEMS_SNAPSHOT));
  const journal = path.join(storeDir, ITEMS_JOURNAL);
  if (fs.existsSync(journal)) {
    for (const line of fs.readFileSync(journal, 'utf8').split('\n')) {
      const entries = journalLine(line);
      if (entries !== undefined) {
        Object.assign(items, entries);
      }
    }
  }
  return items;
}

/** A journal line's entries; undefined for an empty line or the partial line a kill leaves. */
function journalLine(line: string): Record<string, StoredItem> | undefined {
  if (line.trim() === '') {
    return undefined;
  }
  try {
    return JSON.parse(line) as Record<string, StoredItem>;
  } catch {
    return undefined;
  }
}

/**
 * Records entries (one journal line; the journal is folded into the snapshot once it is as large as the snapshot).
 *
 * @param storeDir - the store's folder
 * @param entries - the entries by source path
 */
export function appendStoreItems(storeDir: string, entries: Readonly<Record<string, StoredItem>>): void {
  if (Object.keys(entries).length === 0) {
    return;
  }
  const journal = path.join(storeDir, ITEMS_JOURNAL);
  // A line always starts on a fresh line: a partial line left by a kill is closed first, and ignored when read.
  const size = fs.existsSync(journal) ? fs.statSync(journal).size : 0;
  const open = size > 0 && lastByte(journal, size) !== 0x0a;
  fs.appendFileSync(journal, `${open ? '\n' : ''}${JSON.stringify(entries)}\n`);
  if (size > fs.statSync(path.join(storeDir, ITEMS_SNAPSHOT)).size) {
    compactStoreItems(storeDir);
  }
}

function lastByte(file: string, size: number): number {
  const fd = fs.openSync(file, 'r');
  try {
    const b = Buffer.alloc(1);
    fs.readSync(fd, b, 0, 1, size - 1);
    return b[0] ?? 0;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Folds the journal into the snapshot (written atomically before the journal is removed: a kill in between leaves
 * journal lines the snapshot already holds, which read the same).
 *
 * @param storeDir - the store's folder
 */
export function compactStoreItems(storeDir: string): void {
  writeJson(path.join(storeDir, ITEMS_SNAPSHOT), readStoreItems(storeDir));
  fs.rmSync(path.join(storeDir, ITEMS_JOURNAL), { force: true });
}
