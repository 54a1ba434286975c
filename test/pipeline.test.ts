import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HealthDataError } from '../src/errors';
import type { PipelineStep } from '../src/pipeline';
import { formatPipelineSummary, runPipeline, withPrerequisites } from '../src/pipeline';
import { dashboardSteps, PIPELINE_STEPS, STEP_PREREQUISITES } from '../src/pipeline-steps';
import { silentProgress } from '../src/progress';
import type { Workspace } from '../src/workspace';
import { openWorkspace } from '../src/workspace';
import { tmpDir } from './helpers/tmp';

describe('pipeline', () => {
  let dir: string;
  let ws: Workspace;
  beforeEach(async () => {
    dir = tmpDir('pipe');
    ws = await openWorkspace({ dir, create: true, progress: silentProgress, env: {} });
  });
  afterEach(async () => {
    await ws.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function step(name: string, log: string[], input: { v: string }, fail = false): PipelineStep {
    return {
      name,
      description: name,
      fingerprint: () => Promise.resolve(input.v),
      run: () => {
        log.push(name);
        if (fail) {
          return Promise.reject(new HealthDataError('invalid-input', `${name}: broken input`));
        }
        return Promise.resolve({ counts: { rows: 3 }, outputs: [`${name}.out`] });
      },
    };
  }

  it('runs steps in order, then skips the ones that are current, and re-runs what changed', async () => {
    const log: string[] = [];
    const a = { v: '1' };
    const steps = [step('a', log, a), step('b', log, { v: '1' })];
    const first = await runPipeline(ws, steps);
    assert.deepEqual(
      first.steps.map((s) => s.status),
      ['ran', 'ran'],
    );
    const second = await runPipeline(ws, steps);
    assert.deepEqual(
      second.steps.map((s) => s.status),
      ['skipped', 'skipped'],
    );
    assert.deepEqual(second.steps[0]?.counts, { rows: 3 });
    a.v = '2';
    const third = await runPipeline(ws, steps);
    assert.deepEqual(
      third.steps.map((s) => s.status),
      ['ran', 'skipped'],
    );
    assert.deepEqual(log, ['a', 'b', 'a']);
    assert.deepEqual(
      (await runPipeline(ws, steps, { force: true, only: ['b'] })).steps.map((s) => s.name),
      ['b'],
    );
  });

  it('re-runs a current step whose reported output was deleted', async () => {
    const log: string[] = [];
    const out = ws.path('reports', 'x.txt');
    const s: PipelineStep = {
      name: 'writer',
      description: 'writes a file',
      fingerprint: () => Promise.resolve('same'),
      run: () => {
        log.push('run');
        fs.mkdirSync(ws.path('reports'), { recursive: true });
        fs.writeFileSync(out, 'x');
        return Promise.resolve({ counts: {}, outputs: [out] });
      },
    };
    await runPipeline(ws, [s]);
    await runPipeline(ws, [s]);
    fs.rmSync(out);
    await runPipeline(ws, [s]);
    assert.deepEqual(log, ['run', 'run']);
  });

  it('reports where an unexpected error (a bug, not bad input) was thrown', async () => {
    const buggy: PipelineStep = {
      name: 'buggy',
      description: 'buggy',
      fingerprint: () => Promise.resolve('1'),
      run: function runBuggyStep() {
        return Promise.reject(new TypeError('cannot read x of undefined'));
      },
    };
    const summary = await runPipeline(ws, [buggy]);
    const failed = summary.steps[0];
    assert.equal(failed?.status, 'failed');
    assert.match(failed.trace ?? '', /^\s+at (Object\.)?runBuggyStep .*pipeline\.test\.ts/);
    assert.match(formatPipelineSummary(summary), /error: cannot read x of undefined\n.*unexpected; please report it with where it was thrown:\n\s+at (Object\.)?runBuggyStep/);
  });

  it('stops at a failure, reports it, and resumes from there', async () => {
    const log: string[] = [];
    const broken = step('b', log, { v: '1' }, true);
    const summary = await runPipeline(ws, [step('a', log, { v: '1' }), broken, step('c', log, { v: '1' })]);
    assert.equal(summary.ok, false);
    assert.deepEqual(
      summary.steps.map((s) => s.status),
      ['ran', 'failed'],
    );
    assert.match(formatPipelineSummary(summary), /error: \[invalid-input\] b: broken input/);
    assert.equal(summary.steps[1]?.trace, undefined, 'bad input is not a bug: no trace');
    const fixed = await runPipeline(ws, [step('a', log, { v: '1' }), step('b', log, { v: '1' }), step('c', log, { v: '1' })]);
    assert.deepEqual(
      fixed.steps.map((s) => s.status),
      ['skipped', 'ran', 'ran'],
    );
  });

  it('rejects an unknown step name', async () => {
    await assert.rejects(runPipeline(ws, PIPELINE_STEPS, { only: ['nope'] }), /unknown step "nope"; steps are: setup, self-check/);
  });

  it('runs the registered foundation steps', async () => {
    const summary = await runPipeline(ws, PIPELINE_STEPS, { only: ['setup', 'self-check'] });
    assert.equal(summary.ok, true, formatPipelineSummary(summary));
    assert.ok((summary.steps[1]?.counts.checks ?? 0) >= 20);
    assert.ok(fs.existsSync(ws.path('models')));
  });
});

describe('step prerequisites (ensureSteps)', () => {
  it('every step named in STEP_PREREQUISITES exists, and the closure comes back in pipeline order', () => {
    const names = PIPELINE_STEPS.map((s) => s.name);
    for (const [step, needs] of Object.entries(STEP_PREREQUISITES)) {
      assert.ok(names.includes(step), step);
      for (const n of needs) {
        assert.ok(names.indexOf(n) < names.indexOf(step), `${step} needs ${n}, which runs later`);
      }
    }
    assert.deepEqual(withPrerequisites(PIPELINE_STEPS, STEP_PREREQUISITES, ['features-imaging']), ['setup', 'generate', 'convert', 'import-imaging', 'features-imaging']);
    assert.deepEqual(withPrerequisites(PIPELINE_STEPS, STEP_PREREQUISITES, ['train-models']).slice(-1), ['train-models']);
    assert.throws(() => withPrerequisites(PIPELINE_STEPS, STEP_PREREQUISITES, ['import-mri']), /unknown step "import-mri"; steps are: setup/);
  });

  it('the dashboard asks for train-models only while no model is saved (notebook 09 may have saved them)', () => {
    const dir = tmpDir('dashboard-steps');
    const models = path.join(dir, 'models');
    assert.deepEqual(dashboardSteps(models), ['import-clinical', 'features-clinical', 'features-genomic', 'features-imaging', 'train-models']);
    fs.mkdirSync(models);
    assert.deepEqual(dashboardSteps(models).at(-1), 'train-models');
    fs.mkdirSync(path.join(models, 'stroke'));
    assert.deepEqual(dashboardSteps(models), ['import-clinical', 'features-clinical', 'features-genomic', 'features-imaging']);
  });
});
