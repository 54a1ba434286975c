/**
 * Child process of the imaging SIGKILL test: loads, prints `ready`, waits for a line on stdin (so the test can start
 * the next child while it checks the last one), then starts a DICOM import of a folder into a local datastore,
 * prints the job id, waits for the job and prints `done <status>`. The test kills it at random points.
 *
 * Usage: node --import tsx import-child.ts <imaging root> <datastore id> <input folder> <output folder>
 */
import { LocalImagingStore } from '../../../src/imaging/local/datastore';
import { silentProgress } from '../../../src/progress';

async function main(): Promise<void> {
  const [root, datastoreId, inputDir, outputDir] = process.argv.slice(2);
  if (root === undefined || datastoreId === undefined || inputDir === undefined || outputDir === undefined) {
    throw new Error('usage: import-child.ts <imaging root> <datastore id> <input folder> <output folder>');
  }
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => {
    process.stdin.once('data', () => {
      resolve();
    });
  });
  process.stdin.pause();
  const store = new LocalImagingStore({ root, progress: silentProgress });
  const { jobId } = await store.startDICOMImportJob({ datastoreId, inputDir, outputDir });
  process.stdout.write(`${jobId}\n`);
  const report = await store.waitForDICOMImportJob(datastoreId, jobId);
  process.stdout.write(`done ${report.job.jobStatus}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
