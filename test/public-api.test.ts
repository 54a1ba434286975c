import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

const ROOT = path.join(__dirname, '..');
const INDEX = path.join(ROOT, 'src', 'index.ts');
const REPORT = path.join(ROOT, 'docs', 'public-api.txt');
/** The front door's size limit (issue 17): a notebook author should be able to read the whole list. */
const MAX_NAMES = 150;

/**
 * The public API as `<kind> <name>  (<module>)` lines, sorted, read from `src/index.ts`'s explicit named exports.
 *
 * @param text - the index source
 * @returns the lines
 */
function apiLines(text: string): string[] {
  const sf = ts.createSourceFile('index.ts', text, ts.ScriptTarget.ES2022, true);
  const lines: string[] = [];
  for (const st of sf.statements) {
    if (!ts.isExportDeclaration(st)) {
      assert.fail(`src/index.ts holds only \`export { … } from\` lines; found: ${st.getText(sf).slice(0, 80)}`);
    }
    const clause = st.exportClause;
    if (clause === undefined || !ts.isNamedExports(clause)) {
      assert.fail(`src/index.ts: \`export *\` hides what the API holds; name the exports (${st.getText(sf)})`);
    }
    const from = st.moduleSpecifier !== undefined && ts.isStringLiteral(st.moduleSpecifier) ? st.moduleSpecifier.text : '?';
    for (const el of clause.elements) {
      lines.push(`${st.isTypeOnly || el.isTypeOnly ? 'type ' : 'value'} ${el.name.text}  (${from})`);
    }
  }
  return lines.sort((a, b) => a.slice(6).localeCompare(b.slice(6)));
}

describe('public API (src/index.ts)', function () {
  const lines = apiLines(fs.readFileSync(INDEX, 'utf8'));

  it(`exports at most ${String(MAX_NAMES)} names, each once`, function () {
    assert.ok(lines.length <= MAX_NAMES, `${String(lines.length)} names`);
    const names = lines.map((l) => l.slice(6).split(' ')[0]);
    assert.equal(new Set(names).size, names.length);
  });

  it('matches docs/public-api.txt (UPDATE_API=1 rewrites it after a deliberate change)', function () {
    const expected = `${lines.join('\n')}\n`;
    if (process.env.UPDATE_API === '1' || !fs.existsSync(REPORT)) {
      fs.writeFileSync(REPORT, expected);
    }
    assert.equal(fs.readFileSync(REPORT, 'utf8'), expected, 'the public API changed: review the diff, then run UPDATE_API=1 npx mocha test/public-api.test.ts and commit docs/public-api.txt');
  });

  it('keeps test-only readers, synthetic dashboard data and CLI wrappers out', function () {
    const modules = new Set(lines.map((l) => /\((.*)\)$/.exec(l)?.[1]));
    for (const internal of ['./imaging/nifti', './imaging/nrrd', './dashboard/synthetic', './dashboard/command', './cli']) {
      assert.ok(!modules.has(internal), internal);
    }
    assert.ok(modules.has('./workspace'));
  });

  it('rejects an `export *` (the check can fail)', function () {
    assert.throws(() => apiLines("export * from './workspace';"), /export \*/);
  });
});
