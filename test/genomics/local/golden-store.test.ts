/**
 * The stored variant and genotype contents stay identical across changes to the import code: the stores built from
 * a small generated cohort (`fixtures/tiny-cohort`, the `tiny` preset's genomic folder) and from every VCF fixture
 * of the repository and the reference data (clean, faulty, multi-sample, gzip/BGZF, header-only) are compared with
 * golden counts and hashes computed with the implementation before the batched import (commit 5f4dec0).
 *
 * A hash covers every column of the store's view except `importjobid` (a fresh UUID per job), each row as DuckDB's
 * text of the row, sorted; the job side covers each item's status, counts and message, and every failure's source,
 * line and rule. When a change of the stored contents is intended, recompute the values and say why in the commit.
 */
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { VariantImportJob } from '../../../src/genomics/types';
import { silentProgress } from '../../../src/progress';
import { openWorkspace } from '../../../src/workspace';
import type { Workspace } from '../../../src/workspace';
import { REFERENCE_DATA } from '../../helpers/reference-data';
import { tmpDir } from '../../helpers/tmp';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const TINY = path.join(__dirname, '..', 'fixtures', 'tiny-cohort');

/** Every VCF of the repository's fixtures and of the reference data, as [label, absolute path]. */
function fixtureVcfs(): [string, string][] {
  const walk = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : /\.vcf(\.gz)?$/.test(e.name) ? [path.join(dir, e.name)] : []));
  const repo = [...walk(path.join(ROOT, 'test', 'formats', 'vcf')), ...['p1_dna.vcf', 'p2_dna.vcf', 'p3_faulty.vcf', 'chr_prefixed.vcf'].map((f) => path.join(__dirname, '..', 'fixtures', f))];
  const ref = walk(path.join(REFERENCE_DATA, 'vcf'));
  return [...repo.map((f): [string, string] => [path.relative(ROOT, f), f]), ...ref.map((f): [string, string] => [`reference-data/${path.relative(REFERENCE_DATA, f)}`, f])].sort((a, b) =>
    a[0].localeCompare(b[0]),
  );
}

const sha = (text: string): string => crypto.createHash('sha256').update(text).digest('hex').slice(0, 16);

/**
 * Rows and hash of a store's view (every column but importjobid).
 *
 * @param ws - the workspace
 * @param table - the quoted table name
 * @returns `rows`, `samples`, `hash`
 */
async function viewDigest(ws: Workspace, table: string): Promise<{ rows: number; samples: number; hash: string }> {
  const [r] = await ws.sql.query<{ n: bigint | number; s: bigint | number; h: string | null }>(
    `SELECT count(*) AS n, count(DISTINCT sampleid) AS s, md5(string_agg(t, chr(10) ORDER BY t)) AS h FROM (SELECT CAST(v AS VARCHAR) AS t, sampleid FROM (SELECT * EXCLUDE (importjobid) FROM ${table}) v)`,
  );
  return { rows: Number(r?.n ?? 0), samples: Number(r?.s ?? 0), hash: r?.h ?? '' };
}

/**
 * Hash of a job's outcome: each item's status, counts and message, and every failure (source label, line, rule).
 *
 * @param job - the finished job
 * @param label - source path → label
 * @returns the hash and totals
 */
function jobDigest(job: VariantImportJob, label: (source: string) => string): { status: string; records: number; rejected: number; failures: number; hash: string } {
  const report = job.failureReport === undefined || !fs.existsSync(job.failureReport) ? '' : fs.readFileSync(job.failureReport, 'utf8');
  const failures = report
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { source: string; line: number; code: string })
    .map((f) => `${label(f.source)}:${String(f.line)}:${f.code}`)
    .sort();
  const items = job.items
    .map(
      (i) =>
        `${label(i.source)}|${i.jobStatus}|${String(i.lines)}|${String(i.records)}|${String(i.rejected)}|${String(i.rows)}|${(i.samples ?? []).join(',')}|${(i.statusMessage ?? '').split(label(i.source)).join('')}`,
    )
    .sort();
  return {
    status: job.status,
    records: job.items.reduce((a, i) => a + (i.records ?? 0), 0),
    rejected: job.items.reduce((a, i) => a + (i.rejected ?? 0), 0),
    failures: failures.length,
    hash: sha(`${items.join('\n')}\n--\n${failures.join('\n')}`),
  };
}

describe('stored genomic contents equal the golden values of the previous implementation', function () {
  this.timeout(120_000);
  let dir = '';
  let ws: Workspace;

  before(async () => {
    dir = tmpDir('genomics-golden');
    fs.cpSync(TINY, path.join(dir, 'data', 'genomic'), { recursive: true });
    ws = await openWorkspace({ dir: path.join(dir, 'ws'), create: true, progress: silentProgress, env: {} });
  });

  after(async () => {
    await ws.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('tiny cohort: importDataset gives the same variant and annotation stores', async () => {
    const r = await ws.genomics.importDataset({ dataDir: path.join(dir, 'data') });
    const label = (s: string): string => path.basename(s);
    assert.ok(r.variantJob !== undefined && r.annotationJob !== undefined);
    const actual = {
      counts: r.counts,
      variantJob: jobDigest(r.variantJob, label),
      annotationJob: jobDigest(r.annotationJob, label),
      variants: await viewDigest(ws, r.tables.variants),
      annotations: await viewDigest(ws, r.tables.annotations),
    };
    assert.deepEqual(actual, GOLDEN_TINY);
  });

  it('every fixture VCF (clean, faulty, gzip, multi-sample): same rows, items and failures', async () => {
    const files = fixtureVcfs();
    const byPath = new Map(files.map(([l, f]) => [f, l]));
    const g = ws.genomics.stores;
    await g.createAnnotationStore({ name: 'golden_fixtures', storeFormat: 'VCF' });
    const job = await g.waitForAnnotationImportJob((await g.startAnnotationImportJob({ destinationName: 'golden_fixtures', items: files.map(([, source]) => ({ source })) })).jobId);
    const actual = { files: files.length, job: jobDigest(job, (s) => byPath.get(s) ?? s), view: await viewDigest(ws, g.tableName('golden_fixtures')) };
    assert.deepEqual(actual, GOLDEN_FIXTURES);
  });
});

// Computed with commit 5f4dec0 (before the batched import), twice, identical.
const GOLDEN_TINY = {
  counts: {
    vcf_files: 29,
    reference_contigs: 154,
    vcf_items_failed: 0,
    vcf_records: 1448,
    vcf_records_rejected: 0,
    vcf_rows: 1448,
    clinvar_items_failed: 0,
    clinvar_records: 226,
    clinvar_records_rejected: 0,
    clinvar_rows: 226,
  },
  variantJob: { status: 'COMPLETED', records: 1448, rejected: 0, failures: 0, hash: '41f769b021c8ef97' },
  annotationJob: { status: 'COMPLETED', records: 226, rejected: 0, failures: 0, hash: '8027c1ac63f797d1' },
  variants: { rows: 1448, samples: 29, hash: 'ac21ee05f633e71ceda8dd7eb7c2b60a' },
  annotations: { rows: 226, samples: 0, hash: 'a2c49e21529388d16a567be770710b29' },
};
const GOLDEN_FIXTURES = {
  files: 177,
  job: { status: 'COMPLETED_WITH_FAILURES', records: 3508, rejected: 16, failures: 64, hash: '9d6fa2afdc6ab7b6' },
  view: { rows: 3761, samples: 15, hash: '71531d1686b3464597051e26b130499b' },
};
