/**
 * docs/errors.md quotes the messages users meet most; these tests produce each one and check the quote matches.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../src/cli';
import { resolveConfig } from '../src/config';
import { AWS_CREDENTIALS_HELP, HealthDataError, normalizeErrorString } from '../src/errors';
import type { PipelineStep } from '../src/pipeline';
import { ensurePipelineSteps } from '../src/pipeline';
import { silentProgress } from '../src/progress';
import { openWorkspace } from '../src/workspace';

const DOC = fs.readFileSync(path.join(__dirname, '..', 'docs', 'errors.md'), 'utf8');

/** The quoted message of the table row whose situation starts with `situation`. */
function quoted(situation: string): string {
  const row = DOC.split('\n').find((l) => l.startsWith(`| ${situation}`));
  assert.ok(row !== undefined, `docs/errors.md has no row for "${situation}"`);
  const cell = row.split(' | ')[1] ?? '';
  return cell.replace(/^`/, '').replace(/`$/, '');
}

/** A quote matches when its literal pieces (around `…` and `<placeholders>`) appear in order in the message. */
function assertQuoteMatches(quote: string, message: string): void {
  let at = 0;
  for (const piece of quote.split(/…|<[a-z ]+>/).filter((p) => p !== '')) {
    const i = message.indexOf(piece, at);
    assert.ok(i >= 0, `message lacks ${JSON.stringify(piece)}:\n${message}`);
    at = i + piece.length;
  }
}

async function withEnv(vars: Record<string, string | undefined>, fn: () => Promise<void>): Promise<void> {
  const saved = { ...process.env };
  const next: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(vars)) {
    next[k] = v;
  }
  process.env = Object.fromEntries(Object.entries(next).filter(([, v]) => v !== undefined));
  try {
    await fn();
  } finally {
    process.env = saved;
  }
}

describe('docs/errors.md messages', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mmh-errors-'));
  after(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('aws without credentials: one sentence naming the sources and `aws sts get-caller-identity`, no stack', async () => {
    const none = path.join(tmp, 'no-such-file');
    await withEnv(
      {
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
        AWS_SESSION_TOKEN: undefined,
        AWS_PROFILE: undefined,
        AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
        AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
        AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
        AWS_SHARED_CREDENTIALS_FILE: none,
        AWS_CONFIG_FILE: none,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_REGION: 'us-east-1',
        MMH_S3_URI: 's3://example-bucket/mmh/',
        MMH_PROGRESS: 'silent',
      },
      async () => {
        const err = await main(['pipeline', '--backend', 'aws', '--workspace', path.join(tmp, 'aws-ws')]).then(
          () => undefined,
          (e: unknown) => e,
        );
        assert.ok(err instanceof HealthDataError);
        assert.equal(normalizeErrorString(err), `[invalid-config] ${AWS_CREDENTIALS_HELP}`);
        assert.equal(err.stack, `HealthDataError: ${AWS_CREDENTIALS_HELP}`);
        assert.match(err.message, /aws sts get-caller-identity/);
        assert.equal(quoted('aws backend without credentials'), normalizeErrorString(err));
      },
    );
  });

  it('bogus preset names the accepted values', () => {
    let message = '';
    try {
      resolveConfig({ env: { MMH_PRESET: 'full' } });
    } catch (e) {
      message = normalizeErrorString(e);
    }
    assert.equal(quoted('a setting with a value it does not accept'), message);
  });

  it('a notebook out of order runs the missing steps; a failed one is named with its reason', async () => {
    const ws = await openWorkspace({ dir: path.join(tmp, 'ws'), create: true, progress: silentProgress });
    try {
      const lines: string[] = [];
      const step = (name: string, fail?: string): PipelineStep => ({
        name,
        description: name,
        fingerprint: () => Promise.resolve('v1'),
        run: () => (fail === undefined ? Promise.resolve({ counts: {}, outputs: [] }) : Promise.reject(new HealthDataError('invalid-input', fail))),
      });
      const steps = [step('setup'), step('generate'), step('convert'), step('import-imaging')];
      const needs = { generate: ['setup'], convert: ['generate'], 'import-imaging': ['convert'] };
      await ensurePipelineSteps(ws, steps, needs, ['import-imaging'], { log: (l) => lines.push(l) });
      const [first, ...rest] = quoted('a notebook run before the notebooks it builds on').split('` followed by `');
      assert.equal(lines[0], first);
      assert.ok(lines.includes(rest[0] ?? ''), lines.join('\n'));
      // Current steps are skipped the second time.
      lines.length = 0;
      await ensurePipelineSteps(ws, steps, needs, ['import-imaging'], { log: (l) => lines.push(l) });
      assert.ok(
        lines.slice(1).every((l) => l.endsWith(': current')),
        lines.join('\n'),
      );
      const failing = [...steps.slice(0, 3), step('import-imaging', 'no DICOM folder')];
      const err = await ensurePipelineSteps(ws, [...failing], needs, ['import-imaging'], { log: () => undefined }).catch((e: unknown) => e);
      // The fingerprint is unchanged, so import-imaging is current and is not re-run: force a new fingerprint.
      assert.equal(err === undefined || typeof err === 'object', true);
      const fresh = failing.map((s) => (s.name === 'import-imaging' ? { ...s, fingerprint: () => Promise.resolve('v2') } : s));
      const failed = await ensurePipelineSteps(ws, fresh, needs, ['import-imaging'], { log: () => undefined }).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(failed instanceof HealthDataError);
      assertQuoteMatches(quoted('… and one of those steps fails'), normalizeErrorString(failed));
      assert.match(failed.message, /no DICOM folder/);
    } finally {
      await ws.close();
    }
  });

  it('a workspace folder that does not exist says how to create it', async () => {
    const err = await openWorkspace({ dir: path.join(tmp, 'missing'), progress: silentProgress }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assertQuoteMatches(quoted('a notebook opened on a workspace folder that does not exist'), normalizeErrorString(err));
  });

  it('an unknown command lists the commands and steps', async () => {
    const err = await main(['bogus']).then(
      () => undefined,
      (e: unknown) => e,
    );
    assertQuoteMatches(quoted('an unknown `mmh` command'), `mmh: ${normalizeErrorString(err)}`);
    assert.match(normalizeErrorString(err), /import-imaging/);
  });
});
