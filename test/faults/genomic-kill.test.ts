import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { silentProgress } from '../../src/progress';
import { openWorkspace } from '../../src/workspace';
import type { Workspace } from '../../src/workspace';
import { LocalGenomicsStores } from '../../src/genomics/local/local-stores';
import { tmpDir } from '../helpers/tmp';
import { goAndKill, KILL_SEED, KillWindow, spawnChild, stagingLeft } from './helpers';

const CHILD = path.join(__dirname, 'fixtures', 'genomic-import-child.ts');
const PANEL = path.join(__dirname, '..', 'genomics', 'fixtures', 'panel.fa');
const KILLS = 20;
const FILES = 6;
const RECORDS = 500;
const JOB_ID = /^([0-9a-f-]{36})\n/m;

/**
 * Writes the inputs: VCFs of two samples on the panel's contig 19, one with bad records (the exact route, rejected
 * lines), one with a broken header line (lenient: imported, item COMPLETED_WITH_FAILURES), one gzip.
 *
 * @param dir - target folder
 * @returns the files and their data-line count
 */
function writeInputs(dir: string): { files: string[]; lines: number } {
  const files: string[] = [];
  let lines = 0;
  for (let f = 0; f < FILES; f++) {
    const header = [
      '##fileformat=VCFv4.3',
      '##contig=<ID=19,length=58617616>',
      '##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth">',
      '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
      ...(f === 2 ? ['##INFO=<ID=XX,Number=1,Type=Integer,Description=unquoted>'] : []),
      `#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ts${String(f)}a\ts${String(f)}b`,
    ];
    const body: string[] = [];
    for (let r = 0; r < RECORDS; r++) {
      const pos = 1000 + r * 7;
      const bad = f === 1 && r % 100 === 5;
      // A bad record has a REF that is not bases: lenient mode rejects it (rule ref-bases) and reports its line.
      body.push(`19\t${String(pos)}\t.\t${bad ? 'Z' : 'A'}\tG\t50\tPASS\tDP=${String(r)}\tGT\t0/1\t${r % 2 === 0 ? '1/1' : '0/0'}`);
    }
    lines += body.length;
    const text = `${[...header, ...body].join('\n')}\n`;
    const file = path.join(dir, `in${String(f)}.vcf${f === 3 ? '.gz' : ''}`);
    fs.writeFileSync(file, f === 3 ? zlib.gzipSync(text) : text);
    files.push(file);
  }
  return { files, lines };
}

/** Files a conversion or a JSON write stages (none may survive recovery). */
function staging(file: string): boolean {
  return file.endsWith('.tmp') || file.endsWith('.lines.vcf');
}

async function rowKeys(ws: Workspace, table: string): Promise<{ n: number; keys: number }> {
  const [row] = await ws.sql.query<{ n: number | bigint; keys: number | bigint }>(
    `SELECT count(*) AS n, count(DISTINCT sampleid || ':' || contigname || ':' || CAST(start AS VARCHAR) || ':' || referenceallele || '>' || array_to_string(alternatealleles, ',')) AS keys FROM ${table}`,
  );
  return { n: Number(row?.n ?? 0), keys: Number(row?.keys ?? 0) };
}

describe('genomic import killed with SIGKILL at random points, then re-run', () => {
  it(`loses nothing, imports nothing twice, leaves no staging, and lists each dead job as FAILED (${String(KILLS)} kill points)`, async function () {
    this.timeout(900_000);
    const dir = tmpDir('kill-genomic');
    const wsDir = path.join(dir, 'ws');
    const input = path.join(dir, 'input');
    fs.mkdirSync(input);
    const { files, lines } = writeInputs(input);
    // The stores, and a reference import of the same inputs run to completion in-process.
    let ws = await openWorkspace({ dir: wsDir, create: true, progress: silentProgress });
    let g = new LocalGenomicsStores(ws);
    const refStore = await g.createReferenceStore({ name: 'kill' });
    const refJob = await g.waitForReferenceImportJob({
      referenceStoreId: refStore.id,
      id: (await g.startReferenceImportJob({ referenceStoreId: refStore.id, sources: [{ sourceFile: PANEL, name: 'panel' }] })).id,
    });
    assert.equal(refJob.status, 'COMPLETED');
    const referenceArn = (await g.listReferences(refStore.id))[0]?.arn ?? '';
    // One store per kill round (kill0 …), so each round starts empty; `calibration` for the timing run.
    for (const name of ['calibration', ...Array.from({ length: KILLS }, (_, k) => `kill${String(k)}`)]) {
      await g.createVariantStore({ name, reference: { referenceArn } });
    }
    await g.createVariantStore({ name: 'refstore', reference: { referenceArn } });
    const reference = await g.waitForVariantImportJob((await g.startVariantImportJob({ destinationName: 'refstore', items: files.map((source) => ({ source })) })).jobId);
    assert.equal(reference.status, 'COMPLETED_WITH_FAILURES');
    const expectedRows = await rowKeys(ws, 'refstore');
    assert.equal(expectedRows.n, expectedRows.keys);
    assert.equal(expectedRows.n, (lines - RECORDS / 100) * 2);
    await ws.close();
    // A run of the child sets the window the kills fall in: from its job id to its end.
    let child = spawnChild(CHILD, [wsDir, 'calibration', ...files]);
    await child.ready;
    await child.go(JOB_ID);
    const t0 = Date.now();
    const calibrated = await child.done;
    assert.match(calibrated.stdout, /done COMPLETED_WITH_FAILURES/, calibrated.stderr);
    const window = Math.max(200, Date.now() - t0);

    const kills = new KillWindow(KILL_SEED, window);
    const cols = 'sampleid, contigname, start, "end", referenceallele, alternatealleles, calls, attributes';
    let killed = 0;
    child = spawnChild(CHILD, [wsDir, 'kill0', ...files]);
    try {
      for (let k = 0; k < KILLS; k++) {
        const store = `kill${String(k)}`;
        const { id: jobId, end } = await goAndKill(child, JOB_ID, kills.next());
        // The next child loads while this round checks the store.
        child = spawnChild(CHILD, [wsDir, `kill${String(k + 1)}`, ...files]);
        ws = await openWorkspace({ dir: wsDir, progress: silentProgress });
        g = new LocalGenomicsStores(ws);
        await g.recovered;
        const job = await g.getVariantImportJob(jobId);
        if (end.killed && job.status !== 'FAILED') {
          // Killed after its job had finished (while closing the workspace): the job's own result stands.
          assert.equal(job.status, 'COMPLETED_WITH_FAILURES', `kill ${String(k)}: the dead job is ${job.status}`);
          assert.ok(job.completionTime !== undefined);
          kills.landedAfterEnd();
        } else if (end.killed) {
          killed++;
          assert.match(job.statusMessage ?? '', /ended before the job finished \(killed or crashed\)/);
          assert.ok(
            job.items.every((it) => it.jobStatus !== 'IN_PROGRESS' && it.jobStatus !== 'SUBMITTED'),
            `kill ${String(k)}: an item left running`,
          );
        } else {
          kills.landedAfterEnd();
        }
        const listed = await g.listImportJobs('variant');
        assert.ok(listed.some((j) => j.id === jobId));
        assert.ok(
          listed.every((j) => j.status !== 'IN_PROGRESS' && j.status !== 'SUBMITTED'),
          `kill ${String(k)}: a job still listed as running`,
        );
        assert.deepEqual(stagingLeft(ws.path('genomics'), staging), [], `kill ${String(k)}: staging left`);
        // Every row at most once; every recorded source's rows all there.
        const now = await rowKeys(ws, store);
        assert.equal(now.n, now.keys, `kill ${String(k)}: a row stored twice`);
        for (const item of Object.values(g.storeItems('variant', store))) {
          assert.equal(item.lines, item.records + item.rejected, `kill ${String(k)}: ${item.source} counts`);
          const [row] = await ws.sql.query<{ n: number | bigint }>(`SELECT count(*) AS n FROM read_parquet(?)`, [item.file]);
          assert.equal(Number(row?.n ?? 0), item.rows, `kill ${String(k)}: ${item.source} rows`);
        }
        // The re-run completes the store: the rows of the uninterrupted import, input = imported + rejected.
        const rerun = await g.waitForVariantImportJob((await g.startVariantImportJob({ destinationName: store, items: files.map((source) => ({ source })) })).jobId);
        assert.equal(rerun.status, 'COMPLETED_WITH_FAILURES', `kill ${String(k)}: re-run`);
        assert.equal(
          rerun.items.reduce((a, it) => a + (it.records ?? 0) + (it.rejected ?? 0), 0),
          lines,
          `kill ${String(k)}: input = imported + rejected`,
        );
        assert.equal(
          rerun.items.reduce((a, it) => a + (it.rejected ?? 0), 0),
          RECORDS / 100,
          `kill ${String(k)}: the bad records of in1.vcf`,
        );
        assert.deepEqual(await rowKeys(ws, store), expectedRows, `kill ${String(k)}: rows after the re-run`);
        const [diff] = await ws.sql.query<{ n: number | bigint }>(
          `SELECT count(*) AS n FROM ((SELECT ${cols} FROM ${store} EXCEPT ALL SELECT ${cols} FROM refstore) UNION ALL (SELECT ${cols} FROM refstore EXCEPT ALL SELECT ${cols} FROM ${store}))`,
        );
        assert.equal(Number(diff?.n ?? -1), 0, `kill ${String(k)}: the resumed store holds exactly the rows of the uninterrupted import`);
        assert.match(rerun.items[2]?.statusMessage ?? '', /header breaks 1 rule\(s\) of the VCF spec \(first: line 5: .*Description value must be surrounded by double quotes/);
        assert.deepEqual(stagingLeft(ws.path('genomics'), staging), [], `kill ${String(k)}: staging left after the re-run`);
        await ws.close();
      }
    } finally {
      // An assertion that fails mid-round must not leave the next child waiting (it would keep mocha alive).
      child.kill();
    }
    await child.done;
    assert.ok(killed >= KILLS / 2, `only ${String(killed)} of ${String(KILLS)} kills landed during the import`);
    console.log(`      ${String(killed)} of ${String(KILLS)} SIGKILLs landed mid-import (window ${String(window)} ms, ${String(Math.round(kills.ms))} ms at the end)`);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
