import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './import-graph';

/** A markdown file named in text, with an optional `#anchor` or `§N` section. */
const REFERENCE = /(?<![\w/.<>-])((?:\.\.?\/|[\w-]+\/)*[\w.-]+\.md)(?:#([\w-]+)|\s?§\s?(\d+(?:\.\d+)*))?/g;

/** Files whose text may cite docs: our code, tests, benches, docs and notebooks (third-party fixtures excluded). */
function citingFiles(): string[] {
  const tracked = execFileSync('git', ['ls-files', 'src', 'test', 'bench', 'docs', 'notebooks', 'README.md', 'eslint.config.mjs', '.ci'], { cwd: ROOT, encoding: 'utf8' });
  return tracked
    .split('\n')
    .filter((f) => /\.(ts|mjs|md|ipynb)$|^\.ci\//.test(f))
    .filter((f) => !/\/fixtures\/|\/conformance\/|reference-data\//.test(f) && f !== 'test/architecture/doc-references.test.ts')
    .filter((f) => fs.existsSync(path.join(ROOT, f)));
}

/** GitHub's heading anchor: lower case, punctuation other than `-` and `_` dropped, spaces to `-`. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function headings(file: string): string[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => /^#{1,6} /.test(l))
    .map((l) => l.replace(/^#+ /, ''));
}

/**
 * Where a reference from `from` can point: beside it, from the root, in docs/, or (bare name) any tracked file so named;
 * never outside the repository (a clone has nothing beside it).
 */
function resolve(from: string, ref: string, tracked: readonly string[]): string | undefined {
  const candidates = [path.join(ROOT, path.dirname(from), ref), path.join(ROOT, ref), path.join(ROOT, 'docs', ref)];
  const inside = (c: string): boolean => c.startsWith(ROOT + path.sep);
  const found = candidates.find((c) => inside(c) && fs.existsSync(c));
  if (found !== undefined || ref.includes('/')) {
    return found;
  }
  const named = tracked.find((t) => path.basename(t) === ref);
  return named === undefined ? undefined : path.join(ROOT, named);
}

/** Every reference that does not resolve, as `file: reference (reason)`. */
function danglingReferences(): string[] {
  const tracked = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n');
  const dangling: string[] = [];
  for (const file of citingFiles()) {
    for (const m of fs.readFileSync(path.join(ROOT, file), 'utf8').matchAll(REFERENCE)) {
      const [text, ref = '', anchor, section] = m;
      const target = resolve(file, ref, tracked);
      if (target === undefined) {
        dangling.push(`${file}: ${text} (no such file in the repository)`);
      } else if (anchor !== undefined && !headings(target).some((h) => slug(h) === anchor)) {
        dangling.push(`${file}: ${text} (no heading with that anchor)`);
      } else if (section !== undefined && !headings(target).some((h) => h.startsWith(`${section}.`) || h.startsWith(`${section} `))) {
        dangling.push(`${file}: ${text} (no section ${section})`);
      }
    }
  }
  return dangling;
}

describe('architecture: every doc reference resolves inside the repository', function () {
  this.timeout(30_000);

  it('finds the file, the #anchor and the § section each reference names', () => {
    assert.deepEqual(danglingReferences(), []);
  });

  it('resolves what it should and flags what it should not (the check can fail)', () => {
    const tracked = ['docs/aws-semantics.md', 'reference-data/ibsi/PROVENANCE.md'];
    assert.ok(resolve('src/x.ts', 'docs/aws-semantics.md', tracked));
    assert.ok(resolve('src/x.ts', 'PROVENANCE.md', tracked));
    assert.equal(resolve('src/x.ts', 'AWS-SEMANTICS.md', tracked), undefined);
    assert.equal(resolve('src/x.ts', '../shared/docs/HOUSE-STYLE.md', tracked), undefined);
    assert.equal(slug('1. HealthOmics analytics (variant, annotation and reference stores)'), '1-healthomics-analytics-variant-annotation-and-reference-stores');
    assert.ok(headings(path.join(ROOT, 'docs', 'aws-semantics.md')).some((h) => h.startsWith('2.')));
  });
});
