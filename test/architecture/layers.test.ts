/**
 * The layer order, enforced: every relative import in `src/` (static, `export … from`, `import type`
 * and dynamic `import()`) goes down the order or stays in its layer, and no modules import each
 * other in a circle. Imports are read with TypeScript's own pre-processor, so no dependency is added.
 *
 *   domain ← config ← analysis ← store ← pipeline ← sources ← desk ← alerts ← wall ← knowledge ← policies ← ladder
 *   ← services ← reports ← server ← runtime ← cli
 *
 * `sources · desk · alerts` are one tier in the order; inside it imports go left to right
 * only: the desk sends replies through a source (`desk/outbound-worker.ts` → the supervisor's
 * sender, `sources/retry.ts`), alerts watch what the desk tracks (`alerts/crisis-watch.ts` →
 * `desk/incidents.ts`) and retry like a channel does. Nothing in sources knows the desk or alerts,
 * and the desk never reaches into alerts. `config.ts` (the typed, frozen configuration) imports only
 * the domain, so every layer may be handed it. Migrations are frozen in time: they import nothing
 * of the app but each other.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const SRC = resolve(process.cwd(), 'src');

/** Lowest first. A module's layer is its first folder under `src/`, or its file name at the root. */
const LAYERS = [
  'domain',
  'config',
  'analysis',
  'store',
  'pipeline',
  'sources',
  'desk',
  'alerts',
  // The wall and rooms (employees' side) build on the desk tier: escalation, notifications.
  'wall',
  'knowledge',
  'policies',
  'ladder',
  // Desk/alerts tier: the service catalogue, then the reports drawn from it (mailed by alerts' SMTP).
  'services',
  'reports',
  'server',
  'runtime',
  'cli',
] as const;
type Layer = (typeof LAYERS)[number];

function layerOf(module: string): Layer | null {
  const first = module.split('/')[0]!.replace(/\.tsx?$/, '');
  return (LAYERS as readonly string[]).includes(first) ? (first as Layer) : null;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return sourceFiles(path);
      return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
    });
}

/** `./x.js` → `src/…/x.ts` (or `.tsx`, or a folder's `index`), as a path relative to `src/`. */
function resolveImport(from: string, specifier: string): string | null {
  const base = resolve(dirname(join(SRC, from)), specifier);
  const stem = base.replace(/\.(js|jsx|ts|tsx|mjs)$/, '');
  for (const candidate of [`${stem}.ts`, `${stem}.tsx`, join(base, 'index.ts'), join(base, 'index.tsx')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return relative(SRC, candidate).split('\\').join('/');
  }
  return null;
}

/** Module (path under `src/`) → the modules it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const module = relative(SRC, file).split('\\').join('/');
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets: string[] = [];
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const target = resolveImport(module, fileName);
      assert.ok(target, `${module} imports ${fileName}, which is no file under src/`);
      if (!targets.includes(target)) targets.push(target);
    }
    graph.set(module, targets);
  }
  return graph;
}

const graph = importGraph();

/** Strongly connected components of two or more modules (or one importing itself): Tarjan's algorithm. */
function cycles(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (edges.get(node) ?? []).includes(node)) found.push(component.sort());
    }
  };
  for (const node of [...edges.keys()].sort()) if (!index.has(node)) visit(node);
  return found;
}

/** One circle through a component, as `a → b → … → a`, for the failure message. */
function circlePath(component: readonly string[]): string {
  const members = new Set(component);
  const start = component[0]!;
  const path = [start];
  const seen = new Set([start]);
  const walk = (node: string): boolean => {
    for (const next of graph.get(node) ?? []) {
      if (!members.has(next)) continue;
      if (next === start) return path.push(start) > 0;
      if (seen.has(next)) continue;
      seen.add(next);
      path.push(next);
      if (walk(next)) return true;
      path.pop();
    }
    return false;
  };
  walk(start);
  return path.join(' → ');
}

test('every module under src/ belongs to a layer', () => {
  const loose = [...graph.keys()].filter((module) => layerOf(module) === null);
  assert.deepEqual(
    loose,
    [],
    `give these a layer (a folder in the order, or a rank in this test): ${loose.join(', ')}`,
  );
});

test('imports only go down the layer order', () => {
  const upward: string[] = [];
  for (const [module, targets] of graph) {
    const from = layerOf(module);
    if (from === null) continue;
    for (const target of targets) {
      const to = layerOf(target);
      if (to !== null && LAYERS.indexOf(to) > LAYERS.indexOf(from))
        upward.push(`${module} (${from}) → ${target} (${to})`);
    }
  }
  assert.deepEqual(upward, [], `imports going up the order ${LAYERS.join(' ← ')}:\n  ${upward.join('\n  ')}`);
});

test('migrations import nothing of the app but each other', () => {
  const leaks = [...graph].flatMap(([module, targets]) =>
    module.startsWith('store/migrations/')
      ? targets.filter((target) => !target.startsWith('store/migrations/')).map((target) => `${module} → ${target}`)
      : [],
  );
  assert.deepEqual(leaks, []);
});

test('no import circles', () => {
  assert.deepEqual(cycles(graph).map(circlePath), [], 'modules importing each other in a circle');
});

test('the graph walker sees static, type-only, re-export and dynamic imports', () => {
  // cli.ts loads the runtime lazily with import(); domain/index.ts only re-exports.
  assert.ok(graph.get('cli.ts')?.includes('runtime.ts'));
  assert.ok(graph.get('domain/index.ts')?.includes('domain/post.ts'));
  assert.ok(graph.get('pipeline/ingest.ts')?.includes('analysis/analyzer.ts'));
  assert.deepEqual(
    cycles(
      new Map([
        ['a', ['b']],
        ['b', ['c']],
        ['c', ['a']],
        ['d', ['a']],
      ]),
    ),
    [['a', 'b', 'c']],
  );
});
