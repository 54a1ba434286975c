/**
 * The import graph of `src/`: every relative import, `export … from` and literal `require` of each file, resolved
 * to a file (type-only imports included: a type cycle is still a cycle for a reader). Used by the architecture tests.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

/** Repository root. */
export const ROOT = path.resolve(__dirname, '..', '..');

function listTs(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      out.push(...listTs(p));
    } else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
      out.push(p);
    }
  }
  return out;
}

function resolveImport(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  return [`${base}.ts`, path.join(base, 'index.ts'), base].find((c) => c.endsWith('.ts') && fs.existsSync(c));
}

/**
 * Reads the graph: file (relative to the root, `/`-separated) → the in-tree files it imports.
 *
 * @param dir - folder to scan, relative to the root (default `src`)
 * @returns the adjacency map
 */
export function importGraph(dir = 'src'): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const rel = (f: string): string => path.relative(ROOT, f).split(path.sep).join('/');
  for (const file of listTs(path.join(ROOT, dir))) {
    const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, false);
    const deps = new Set<string>();
    for (const ref of info.importedFiles) {
      if (ref.fileName.startsWith('.')) {
        const target = resolveImport(file, ref.fileName);
        if (target !== undefined) {
          deps.add(rel(target));
        }
      }
    }
    graph.set(rel(file), [...deps].sort());
  }
  return graph;
}

/**
 * The strongly connected components with more than one file (import cycles), by Tarjan's algorithm.
 *
 * @param graph - adjacency map
 * @returns each cycle's files, sorted
 */
export function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) {
        out.push(scc.sort());
      }
    }
  };
  for (const v of [...graph.keys()].sort()) {
    if (!index.has(v)) {
      visit(v);
    }
  }
  return out;
}
