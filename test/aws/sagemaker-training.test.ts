/**
 * `ws.automl.sagemaker()` (AutoGluon-Tabular on SageMaker) against a fake of the managed training job
 * (fakes/sagemaker-training.ts: the library's local AutoML stands in for the container) and real S3 over HTTP: the
 * training CSV reaches S3 label-first without a header, the job name is unique per run, the job is polled until
 * Completed, and the model artefact is where the SageMaker documentation puts it
 * (`<S3OutputPath>/<job>/output/model.tar.gz`) and holds a model that predicts.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { loadPredictor } from '../../src/automl/persist';
import { silentProgress } from '../../src/progress';
import { openWorkspace } from '../../src/workspace';
import type { Workspace } from '../../src/workspace';
import { tmpDir } from '../helpers/tmp';
import { fakeSageMakerTraining, readUstar } from './fakes/sagemaker-training';
import type { VirtualClock } from './fakes/virtual-clock';
import { installVirtualClock } from './fakes/virtual-clock';
import { lateBucketIo, lateClock, useLocalS3 } from './local-s3-env';
import type { LocalS3 } from './s3rver';
import { startLocalS3 } from './s3rver';

const BUCKET = 'mmh-training';

describe('SageMaker AutoGluon-Tabular training (fake managed job + real S3 over HTTP)', function () {
  this.timeout(300_000);
  const root = tmpDir('sm-training');
  let s3: LocalS3 | undefined;
  let clock: VirtualClock | undefined;
  let ws: Workspace | undefined;
  let restoreEnv: (() => void) | undefined;
  const io = lateBucketIo(() => s3);
  const time = lateClock(() => clock);
  const fake = fakeSageMakerTraining({ s3: io, clock: time, scratch: path.join(root, 'container') });

  before(async () => {
    s3 = await startLocalS3();
    await s3.bucket(BUCKET);
    restoreEnv = useLocalS3(s3);
    clock = installVirtualClock();
    ws = await openWorkspace({
      dir: path.join(root, 'ws'),
      backend: 'aws',
      create: true,
      progress: silentProgress,
      aws: { region: 'us-east-1', s3Uri: `s3://${BUCKET}/mmh/`, roleArn: 'arn:aws:iam::123456789012:role/mmh-service-role' },
    });
  });

  after(async () => {
    await ws?.close();
    clock?.uninstall();
    restoreEnv?.();
    await s3?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('uploads label-first CSV, trains under a unique job name, and leaves model.tar.gz where the docs say', async () => {
    if (ws === undefined) {
      throw new Error('workspace not open');
    }
    // A separable table: the label follows x.
    const rows = Array.from({ length: 80 }, (_, i) => ({ x: i % 2 === 0 ? i / 80 : 1 + i / 80, z: (i * 7) % 5, label: i % 2 === 0 ? 0 : 1 }));
    const trainer = ws.automl.sagemaker();
    const job = await trainer.startTraining(rows, { label: 'label', jobName: 'mmh-test' });
    const again = await trainer.startTraining(rows, { label: 'label', jobName: 'mmh-test' });
    assert.notEqual(job, again, 'a re-run gets a new job name (CreateTrainingJob refuses a name in use)');
    const channels = fake.jobs.get(job)?.input.InputDataConfig ?? [];
    assert.deepEqual(
      channels.map((c) => c.ChannelName),
      ['training', 'model'],
    );
    const training = channels[0];
    assert.equal(training?.ContentType, 'text/csv');
    const csvUri = `${training.DataSource?.S3DataSource?.S3Uri ?? ''}train.csv`;
    const firstLine =
      Buffer.from(await io.get(csvUri))
        .toString('utf8')
        .split('\n')[0] ?? '';
    assert.match(firstLine, /^0,0,0$/, 'target first, no header');

    const result = await trainer.waitForTraining(job);
    assert.equal(result.status, 'Completed', result.failureReason);
    assert.equal(result.modelArtifacts, `s3://${BUCKET}/mmh/automl/output/${job}/output/model.tar.gz`);
    assert.ok(time.skipped() >= 3 * 60_000, 'the job was polled for (virtual) minutes');
    const files = readUstar(zlib.gunzipSync(await io.get(result.modelArtifacts ?? '')));
    assert.ok(files.has('predictor.json'), [...files.keys()].join(', '));
    const dir = path.join(root, 'unpacked');
    for (const [name, bytes] of files) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), bytes);
    }
    const model = loadPredictor(dir, { progress: silentProgress });
    const predicted = model.predict(rows.map((r) => ({ f1: r.x, f2: r.z })));
    const correct = predicted.filter((p, i) => Number(p) === rows[i]?.label).length;
    assert.ok(correct >= 72, `the trained artefact predicts (${String(correct)}/80)`);
  });
});
