/**
 * Every row of a local store's view carries its own source's read-set ids: `sampleid` (from the file's header) and
 * `importjobid` (the job that wrote the source's file). The stored raw files keep the job id, and a single-sample
 * file's sample, once in the Parquet footer instead of on every row; the view joins them back by file. These tests
 * would catch a row given another file's ids (a wrong join), a stale job id after a re-import, or ids lost when a
 * data file is in place without its `items.json` entry (a kill between the two).
 */
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { writeVcfAsParquet } from '../../../src/genomics/local/parquet-writer';
import { silentProgress } from '../../../src/progress';
import { openWorkspace } from '../../../src/workspace';
import type { Workspace } from '../../../src/workspace';
import { LocalGenomicsStores } from '../../../src/genomics/local/local-stores';
import { RAW_COLUMNS, storedRawTableSelect } from '../../../src/genomics/local/vcf-sql';
import { sqlLiteral } from '../../../src/sql/literal';
import { tmpDir } from '../../helpers/tmp';

const FIX = path.join(__dirname, '..', 'fixtures');

/** A fixture with its sample column renamed (header line `#CHROM…`) and optional extra data lines. */
function withSample(fixture: string, samples: readonly string[], extra = ''): string {
  const text = fs.readFileSync(path.join(FIX, fixture), 'utf8');
  const lines = text.split('\n').map((l) => {
    if (l.startsWith('#CHROM')) {
      return [...l.split('\t').slice(0, 9), ...samples].join('\t');
    }
    if (l.startsWith('#') || l === '' || samples.length < 2) {
      return l;
    }
    // More samples: each data line repeats its sample column.
    const cols = l.split('\t');
    return [...cols, ...samples.slice(1).map(() => cols[9] ?? '.')].join('\t');
  });
  return lines.join('\n') + extra;
}

const sha256 = (file: string): string => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('local genomics stores: read-set ids of every row', function () {
  this.timeout(120_000);
  let dir = '';
  let data = '';
  let ws: Workspace;
  let g: LocalGenomicsStores;

  before(async () => {
    dir = tmpDir('genomics-ids-ws');
    data = tmpDir('genomics-ids-data');
    // Clean single-sample files (read together in one statement, ids on the rows), faulty ones (each on its own
    // route, sample in the footer; names that need quoting), and a multi-sample file.
    fs.writeFileSync(path.join(data, 'alice.vcf'), withSample('p1_dna.vcf', ['alice']));
    fs.writeFileSync(path.join(data, 'bob.vcf'), withSample('p1_dna.vcf', ['bob']));
    fs.writeFileSync(path.join(data, 'carol.vcf'), withSample('p3_faulty.vcf', ["o'carol"]));
    fs.writeFileSync(path.join(data, 'dave.vcf'), withSample('p3_faulty.vcf', ['dave "d"']));
    fs.writeFileSync(path.join(data, 'trio.vcf'), withSample('p1_dna.vcf', ['kid', 'mum', 'dad']));
    fs.writeFileSync(path.join(data, 'erin.vcf.gz'), zlib.gzipSync(withSample('p1_dna.vcf', ['erin'])));
    ws = await openWorkspace({ dir, create: true, progress: silentProgress });
    g = new LocalGenomicsStores(ws);
    // An annotation store: the same import code as a variant store, no reference needed.
    await g.createAnnotationStore({ name: 'idvariants', storeFormat: 'VCF' });
  });

  after(async () => {
    await ws.close();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(data, { recursive: true, force: true });
  });

  async function idCounts(): Promise<string[]> {
    const rows = await ws.sql.query<{ sampleid: string | null; importjobid: string | null; n: unknown }>(
      'SELECT sampleid, importjobid, count(*) AS n FROM idvariants GROUP BY ALL ORDER BY sampleid, importjobid',
    );
    return rows.map((r) => `${String(r.sampleid)}|${String(r.importjobid)}|${String(r.n)}`);
  }

  async function importAll(sources: readonly string[]): Promise<string> {
    const { jobId } = await g.startAnnotationImportJob({ destinationName: 'idvariants', items: sources.map((f) => ({ source: path.join(data, f) })) });
    const job = await g.waitForAnnotationImportJob(jobId);
    assert.notEqual(job.status, 'FAILED');
    return jobId;
  }

  it("gives each row its own file's sample and the job that wrote it; re-import keeps them, a changed file takes the new job's", async () => {
    const files = ['alice.vcf', 'bob.vcf', 'carol.vcf', 'dave.vcf', 'trio.vcf', 'erin.vcf.gz'];
    const job1 = await importAll(files);
    // Each entry's hash (taken from the conversion's own read of the file) is the file's SHA-256.
    for (const [source, entry] of Object.entries(g.storeItems('annotation', 'idvariants'))) {
      assert.equal(entry.sha256, sha256(source), source);
    }
    // The view reads the data folder's raw files by glob, with their footers from a table: its text names no file.
    const [view] = await ws.sql.query<{ sql: string }>("SELECT sql FROM duckdb_views() WHERE view_name = 'idvariants'");
    assert.match(view?.sql ?? '', /\*\.raw3\.parquet/);
    for (const entry of Object.values(g.storeItems('annotation', 'idvariants'))) {
      assert.equal(view?.sql.includes(path.basename(entry.file)), false, entry.file);
    }
    // p1_dna: 5 records; p3_faulty: the records its lenient import keeps.
    const faulty = Number((await ws.sql.query<{ n: unknown }>('SELECT count(*) AS n FROM idvariants WHERE sampleid = ?', ["o'carol"]))[0]?.n);
    assert.ok(faulty > 0);
    const expected1 = [
      `alice|${job1}|5`,
      `bob|${job1}|5`,
      `dad|${job1}|5`,
      `dave "d"|${job1}|${String(faulty)}`,
      `erin|${job1}|5`,
      `kid|${job1}|5`,
      `mum|${job1}|5`,
      `o'carol|${job1}|${String(faulty)}`,
    ];
    assert.deepEqual(await idCounts(), expected1);
    // The trio's rows: one per record × sample, in header order.
    const trio = await ws.sql.query<{ ids: string }>("SELECT string_agg(sampleid, ',' ORDER BY sampleid) AS ids FROM idvariants WHERE start = 69133 AND sampleid IN ('kid', 'mum', 'dad')");
    assert.deepEqual(trio, [{ ids: 'dad,kid,mum' }]);

    // Re-import: a no-op, the ids stay.
    await importAll(files);
    assert.deepEqual(await idCounts(), expected1);

    // A changed file (a new sample name and one more record) replaces its rows under the new job; the others keep theirs.
    fs.writeFileSync(path.join(data, 'carol.vcf'), withSample('p3_faulty.vcf', ['carol2'], '19\t44909000\t.\tG\tA\t.\tPASS\t.\tGT\t0/1\n'));
    fs.writeFileSync(path.join(data, 'alice.vcf'), withSample('p1_dna.vcf', ['alice2']));
    const job3 = await importAll(files);
    assert.deepEqual(await idCounts(), [
      `alice2|${job3}|5`,
      `bob|${job1}|5`,
      `carol2|${job3}|${String(faulty + 1)}`,
      `dad|${job1}|5`,
      `dave "d"|${job1}|${String(faulty)}`,
      `erin|${job1}|5`,
      `kid|${job1}|5`,
      `mum|${job1}|5`,
    ]);
  });

  it('reads the ids of a data file from the file itself (no items.json entry), and files with the ids on every row', async () => {
    const dataDir = path.join(dir, 'genomics', 'annotation-stores', 'idvariants', 'data');
    const entries = g.storeItems('annotation', 'idvariants');
    const carol = entries[path.join(data, 'carol.vcf')];
    const bob = entries[path.join(data, 'bob.vcf')];
    assert.ok(carol !== undefined && bob !== undefined);
    // As a kill between a data file's rename and its items.json entry leaves it: a file in place, no entry.
    const orphan = path.join(dataDir, `ffffffffffffffffffffffff${path.basename(carol.file).slice(24)}`);
    fs.copyFileSync(carol.file, orphan);
    // A file of the previous raw layout (ids on every row), as an earlier version wrote it for bob.
    const previous = path.join(dataDir, 'eeeeeeeeeeeeeeeeeeeeeeee.raw2.parquet');
    await ws.sql.query(
      `COPY (SELECT ${RAW_COLUMNS.map((c) => `"${c.name}"`).join(', ')} FROM (${storedRawTableSelect(`[${sqlLiteral(bob.file)}]`, `(SELECT ${sqlLiteral(bob.file)} AS vcf_file, 'previous-job' AS vcf_jobid, CAST(NULL AS VARCHAR) AS vcf_sampleid)`)})) TO '${previous}' (FORMAT parquet)`,
    );
    const before = await idCounts();
    // The first job of the next process (a new store instance) refreshes the view from the files on disk; later jobs
    // of a process read only the files they write.
    g = new LocalGenomicsStores(ws);
    await importAll(['bob.vcf']);
    const after = await idCounts();
    const carolRow = before.find((r) => r.startsWith('carol2|')) ?? '';
    assert.deepEqual(
      after.filter((r) => r.startsWith('carol2|')),
      [carolRow.replace(/\|(\d+)$/, (_m, n: string) => `|${String(Number(n) * 2)}`)],
    );
    assert.deepEqual(
      after.filter((r) => r.startsWith('bob|')),
      [`bob|${bob.jobId}|5`, 'bob|previous-job|5'],
    );
    assert.deepEqual(
      after.filter((r) => !r.startsWith('carol2|') && !r.startsWith('bob|')),
      before.filter((r) => !r.startsWith('carol2|') && !r.startsWith('bob|')),
    );
    fs.rmSync(orphan);
    fs.rmSync(previous);
    g = new LocalGenomicsStores(ws);
    await importAll(['bob.vcf']);
    assert.deepEqual(await idCounts(), before);
  });

  it("the single-file conversion's hash of the source is the file's SHA-256 (plain and gzip)", async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    try {
      for (const file of ['trio.vcf', 'erin.vcf.gz', 'carol.vcf']) {
        const r = await writeVcfAsParquet(conn, path.join(data, file), path.join(dir, `${file}.parquet`), { importJobId: 'job', layout: 'raw' });
        assert.equal(r.sha256, sha256(path.join(data, file)), file);
      }
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });
});
