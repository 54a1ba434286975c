/**
 * Function lengths in src/: every function-like node with a body (declarations, methods, arrows, function
 * expressions), measured in source lines from its first to its last line, comments included. Run
 * `node --import tsx test/architecture/function-length.ts [limit]` to list the ones over the limit (default 100).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { ROOT } from './import-graph';

/** One function over the limit: `src/…/file.ts name` and its line count. */
export interface LongFunction {
  readonly where: string;
  readonly lines: number;
}

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      return tsFiles(p);
    }
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

function nameOf(node: ts.FunctionLikeDeclaration): string {
  if (node.name !== undefined) {
    return node.name.getText();
  }
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) {
    return parent.name.getText();
  }
  return '<anonymous>';
}

/** Every function in `src/` longer than `limit` lines, longest first. */
export function longFunctions(limit: number): LongFunction[] {
  const out: LongFunction[] = [];
  for (const file of tsFiles(path.join(ROOT, 'src'))) {
    const rel = path.relative(ROOT, file).split(path.sep).join('/');
    const sf = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
        const fn = node;
        const first = sf.getLineAndCharacterOfPosition(fn.getStart(sf)).line;
        const last = sf.getLineAndCharacterOfPosition(fn.getEnd()).line;
        if (last - first + 1 > limit) {
          out.push({ where: `${rel} ${nameOf(fn)}`, lines: last - first + 1 });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return out.sort((a, b) => b.lines - a.lines || a.where.localeCompare(b.where));
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === path.resolve(__filename)) {
  const limit = Number(process.argv[2] ?? 100);
  for (const f of longFunctions(limit)) {
    console.log(`${String(f.lines).padStart(4)} ${f.where}`);
  }
}
