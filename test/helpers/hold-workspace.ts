/**
 * Child process for the two-process tests: opens a workspace and either holds a write session for a while or
 * inserts rows. Usage: `node --import tsx hold-workspace.ts <dir> hold <ms>` | `… insert <n> <tag>`.
 */
import { openWorkspace } from '../../src/workspace';

async function main(): Promise<void> {
  const [dir, mode, arg, tag] = process.argv.slice(2);
  if (dir === undefined || mode === undefined || arg === undefined) {
    throw new Error('usage: hold-workspace.ts <dir> hold <ms> | insert <n> <tag>');
  }
  const ws = await openWorkspace({ dir, progress: { start: () => ({ update: () => undefined, tick: () => undefined, finish: () => undefined }) } });
  try {
    if (mode === 'hold') {
      await ws.duckdb!.session('test hold', async () => {
        process.stdout.write('holding\n');
        await new Promise((r) => setTimeout(r, Number(arg)));
      });
    } else {
      for (let i = 0; i < Number(arg); i++) {
        await ws.sql.query('INSERT INTO t VALUES (?, ?)', [tag ?? 'x', i]);
      }
    }
  } finally {
    await ws.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
