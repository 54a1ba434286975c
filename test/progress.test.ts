import assert from 'node:assert/strict';
import { autoProgress, formatProgressLine, lineProgress, logProgress, silentProgress } from '../src/progress';

describe('progress', () => {
  it('formats a bar with percent, counts and eta', () => {
    const line = formatProgressLine('import', 500, 1000, 2000);
    assert.equal(line, 'import ▕██████████░░░░░░░░░░▏  50% 500/1,000 2.0s eta 2.0s');
    assert.equal(formatProgressLine('scan', 7, 0, 500), 'scan 7 0.5s');
  });

  it('keeps one live line (carriage returns) and ends it with the note', () => {
    let out = '';
    const task = lineProgress({ write: (s: string) => (out += s) }, 0).start('steps', 2);
    task.tick();
    task.tick();
    task.finish('2 done');
    assert.equal(out.split('\n').length, 2);
    assert.match(out, /\rsteps .*100% 2\/2/);
    assert.ok(out.endsWith(' — 2 done\n'));
  });

  it('logs start and end lines', () => {
    let out = '';
    const task = logProgress({ write: (s: string) => (out += s) }).start('load', 0);
    task.tick(3);
    task.finish();
    assert.match(out, /^load: started\nload: done 3 in /);
  });

  it('MMH_PROGRESS picks the mode; a value that is not a mode is a clear config error, not a crash later', () => {
    const saved = process.env.MMH_PROGRESS;
    try {
      process.env.MMH_PROGRESS = 'silent';
      assert.equal(autoProgress(), silentProgress);
      process.env.MMH_PROGRESS = '0';
      assert.throws(() => autoProgress(), /MMH_PROGRESS="0" is not a progress mode; use one of terminal, notebook, log, silent/);
      assert.equal(autoProgress('silent'), silentProgress);
    } finally {
      if (saved === undefined) {
        delete process.env.MMH_PROGRESS;
      } else {
        process.env.MMH_PROGRESS = saved;
      }
    }
  });
});
