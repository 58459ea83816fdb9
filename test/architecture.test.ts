/**
 * The layout rule (docs/architecture.md, "The dependency rule"), checked on the real source:
 *
 *   cli -> (client | analysis | report | token | server) -> (transport | capture) -> sip
 *
 * - An import within one top folder of src/ is always allowed.
 * - cli may import every other folder; nothing imports cli (not even a type).
 * - client, analysis, report, token and server may import transport, capture and sip.
 * - transport and capture may import sip. sip imports nothing of ours.
 * - Between two folders of the same tier (e.g. report and analysis, or transport and capture) only type-only imports
 *   are accepted (`import type`, `import { type X }`, `export type ... from`, `import('...').X` in a type): they
 *   vanish from the emitted JavaScript, so no code of one runs inside the other. report renders the result types of
 *   analysis and client this way; a value (a function, a constant) it needs must live a tier lower.
 * - No import cycle between files (type-only imports count too: a cycle of types is still two ideas knotted).
 * - Capture layers (gopacket's DecodingLayerParser model): the layer modules are the files in src/capture/layers/,
 *   one per protocol layer (link, IPv4, IPv6, ICMP, UDP, TCP, SCTP, HEP, SIP datagram). A layer module never imports
 *   another layer module, not even a type: a layer fills the shared LayerState and returns the next layer type, and
 *   only src/capture/layer-registry.ts joins layers to decoders.
 * - Only src/cli prints or ends the process: no console.*, process.stdout/stderr.write, process.exit or
 *   process.exitCode elsewhere.
 *
 * Static imports, re-exports and dynamic `import('...')` are read with the TypeScript parser, so comments and strings
 * do not count. Every violation is listed with its file and import.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../src');

const TIER: Record<string, number> = {
  cli: 0,
  client: 1,
  analysis: 1,
  report: 1,
  token: 1,
  server: 1,
  transport: 2,
  capture: 2,
  sip: 3,
};

interface ImportEdge {
  /** Importing file, relative to src/ with forward slashes. */
  from: string;
  /** Imported file, relative to src/ (or the specifier as written when it leaves src/). */
  to: string;
  specifier: string;
  line: number;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

function srcRelative(path: string): string {
  return relative(SRC, path).split(sep).join('/');
}

/** `./x.js` -> `x.ts` (NodeNext ESM specifiers name the emitted file). */
function resolveSpecifier(fromFile: string, specifier: string): string {
  const absolute = resolve(dirname(join(SRC, fromFile)), specifier).replace(/\.js$/, '.ts');
  const rel = relative(SRC, absolute);
  return rel.startsWith('..') ? specifier : rel.split(sep).join('/');
}

function isTypeOnlyImport(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (!clause) return false; // `import './x.js'` runs the module
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const bindings = clause.namedBindings;
  if (!bindings || ts.isNamespaceImport(bindings)) return false;
  return bindings.elements.length > 0 && bindings.elements.every((element) => element.isTypeOnly);
}

function isTypeOnlyExport(node: ts.ExportDeclaration): boolean {
  if (node.isTypeOnly) return true;
  const clause = node.exportClause;
  return clause !== undefined && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((element) => element.isTypeOnly);
}

interface ParsedFile {
  imports: ImportEdge[];
  /** `file:line text` of each print or exit call. */
  outputCalls: string[];
}

const OUTPUT_CALLS = [/^console\.\w+$/, /^process\.(stdout|stderr)\.write$/, /^process\.exit$/, /^process\.exitCode$/];

function parseFile(file: string, text: string): ParsedFile {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const imports: ImportEdge[] = [];
  const outputCalls: string[] = [];
  const lineOf = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const addImport = (specifierNode: ts.Node, typeOnly: boolean) => {
    if (!ts.isStringLiteralLike(specifierNode) || !specifierNode.text.startsWith('.')) return;
    const specifier = specifierNode.text;
    imports.push({ from: file, to: resolveSpecifier(file, specifier), specifier, line: lineOf(specifierNode), typeOnly });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) addImport(node.moduleSpecifier, isTypeOnlyImport(node));
    else if (ts.isExportDeclaration(node) && node.moduleSpecifier) addImport(node.moduleSpecifier, isTypeOnlyExport(node));
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0]) addImport(node.arguments[0], false);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) addImport(node.argument.literal, true);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) addImport(node.moduleReference.expression, node.isTypeOnly);
    if (ts.isPropertyAccessExpression(node) && !ts.isPropertyAccessExpression(node.parent)) {
      const name = node.getText(source).replace(/\s+/g, '');
      if (OUTPUT_CALLS.some((pattern) => pattern.test(name))) outputCalls.push(`${file}:${lineOf(node)} ${name}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { imports, outputCalls };
}

function topFolder(file: string): string {
  const slash = file.indexOf('/');
  return slash < 0 ? '(src root)' : file.slice(0, slash);
}

/** Why the edge breaks the rule, or undefined when it is allowed. */
export function ruleViolation(edge: ImportEdge): string | undefined {
  const fromFolder = topFolder(edge.from);
  if (edge.to === edge.specifier) return 'leaves src/';
  const toFolder = topFolder(edge.to);
  if (fromFolder === toFolder) return undefined;
  const fromTier = TIER[fromFolder];
  const toTier = TIER[toFolder];
  if (fromTier === undefined) return `${fromFolder} is not a folder of the layout`;
  if (toTier === undefined) return `${toFolder} is not a folder of the layout`;
  if (toFolder === 'cli') return 'nothing imports cli';
  if (toTier > fromTier) return undefined;
  if (toTier === fromTier && edge.typeOnly) return undefined;
  if (toTier === fromTier) return `${fromFolder} and ${toFolder} are one tier: only type-only imports between them`;
  return `${fromFolder} may not import ${toFolder} (imports only point down)`;
}

const LAYER_MODULES = 'capture/layers/';

/** Why the edge joins two capture layer modules, or undefined when it does not. */
export function layerViolation(edge: ImportEdge): string | undefined {
  if (!edge.from.startsWith(LAYER_MODULES) || !edge.to.startsWith(LAYER_MODULES)) return undefined;
  return 'a capture layer module may not import another layer module (return the next layer type instead)';
}

/** Every cycle of the file graph once, as `a -> b -> ... -> a` (depth-first search, three colours). */
export function findCycles(edges: ImportEdge[]): string[] {
  const next = new Map<string, string[]>();
  for (const edge of edges) {
    const targets = next.get(edge.from) ?? [];
    if (!targets.includes(edge.to)) targets.push(edge.to);
    next.set(edge.from, targets);
  }
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const cycles: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    path.push(file);
    for (const target of next.get(file) ?? []) {
      const seen = state.get(target);
      if (seen === 'open') cycles.push([...path.slice(path.indexOf(target)), target].join(' -> '));
      else if (seen === undefined) visit(target);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of [...next.keys()].sort()) if (!state.has(file)) visit(file);
  return cycles;
}

const files = sourceFiles(SRC).map(srcRelative).sort();
const parsed = files.map((file) => parseFile(file, readFileSync(join(SRC, file), 'utf8')));
const edges = parsed.flatMap((result) => result.imports);

describe('architecture: the dependency rule of docs/architecture.md holds in src/', () => {
  it('reads the source and its imports', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(edges.filter((edge) => topFolder(edge.from) !== topFolder(edge.to)).length).toBeGreaterThan(20);
    expect(edges.some((edge) => edge.from === 'cli/commands/register.ts' && edge.to === 'client/load.ts' && !edge.typeOnly)).toBe(true);
  });

  it('imports point only down the pipeline (cli -> client|analysis|report|token|server -> transport|capture -> sip)', () => {
    const violations = edges.flatMap((edge) => {
      const reason = ruleViolation(edge);
      return reason === undefined ? [] : [`${edge.from}:${edge.line} imports '${edge.specifier}'${edge.typeOnly ? ' (type only)' : ''}: ${reason}`];
    });
    expect(violations).toEqual([]);
  });

  it('capture layer modules (src/capture/layers/) never import one another', () => {
    expect(files.filter((file) => file.startsWith(LAYER_MODULES)).length).toBeGreaterThanOrEqual(8);
    const violations = edges.flatMap((edge) => {
      const reason = layerViolation(edge);
      return reason === undefined ? [] : [`${edge.from}:${edge.line} imports '${edge.specifier}': ${reason}`];
    });
    expect(violations).toEqual([]);
  });

  it('has no import cycle between files', () => {
    const cycles = findCycles(edges.filter((edge) => edge.to !== edge.specifier));
    expect(cycles).toEqual([]);
  });

  it('prints and exits only in src/cli', () => {
    const outside = parsed.flatMap((result) => result.outputCalls).filter((call) => !call.startsWith('cli/'));
    expect(outside).toEqual([]);
  });
});

describe('architecture: the checker itself', () => {
  const edge = (from: string, to: string, typeOnly = false): ImportEdge => ({ from, to, specifier: `./${to}`, line: 1, typeOnly });

  it('allows downward and in-folder imports, type-only imports within a tier', () => {
    expect(ruleViolation(edge('cli/commands/flow.ts', 'report/ladder.ts'))).toBeUndefined();
    expect(ruleViolation(edge('report/ladder.ts', 'capture/types.ts'))).toBeUndefined();
    expect(ruleViolation(edge('capture/hep.ts', 'sip/framing.ts'))).toBeUndefined();
    expect(ruleViolation(edge('sip/parser.ts', 'sip/message.ts'))).toBeUndefined();
    expect(ruleViolation(edge('report/analysis-json.ts', 'analysis/index.ts', true))).toBeUndefined();
  });

  it('rejects upward imports, value imports within a tier, anything into cli or out of sip', () => {
    expect(ruleViolation(edge('report/analysis-json.ts', 'analysis/index.ts'))).toMatch(/one tier/);
    expect(ruleViolation(edge('capture/decode.ts', 'transport/udp.ts'))).toMatch(/one tier/);
    expect(ruleViolation(edge('sip/parser.ts', 'capture/types.ts', true))).toMatch(/only point down/);
    expect(ruleViolation(edge('analysis/index.ts', 'cli/io.ts', true))).toMatch(/nothing imports cli/);
    expect(ruleViolation(edge('transport/udp.ts', 'client/session.ts'))).toMatch(/only point down/);
    expect(ruleViolation({ ...edge('sip/a.ts', 'x'), to: '../../package.json', specifier: '../../package.json' })).toMatch(/leaves src/);
  });

  it('rejects a capture layer module importing another, type-only or not; allows layers to import shared capture modules', () => {
    expect(layerViolation(edge('capture/layers/udp.ts', 'capture/layers/ipv4.ts'))).toMatch(/layer module/);
    expect(layerViolation(edge('capture/layers/icmp.ts', 'capture/layers/ipv6.ts', true))).toMatch(/layer module/);
    expect(layerViolation(edge('capture/layers/udp.ts', 'capture/layer-state.ts'))).toBeUndefined();
    expect(layerViolation(edge('capture/layer-registry.ts', 'capture/layers/udp.ts'))).toBeUndefined();
  });

  it('finds cycles and reports their path', () => {
    expect(findCycles([edge('a/x.ts', 'a/y.ts'), edge('a/y.ts', 'a/z.ts'), edge('a/z.ts', 'a/x.ts'), edge('a/z.ts', 'b/w.ts')])).toEqual([
      'a/x.ts -> a/y.ts -> a/z.ts -> a/x.ts',
    ]);
    expect(findCycles([edge('a/x.ts', 'a/y.ts'), edge('a/x.ts', 'a/z.ts'), edge('a/y.ts', 'a/z.ts')])).toEqual([]);
  });

  it('reads type-only imports, dynamic imports and print calls from source text', () => {
    const sample = parseFile(
      'report/sample.ts',
      [
        "import type { A } from '../analysis/index.js';",
        "import { type B, c } from '../analysis/c.js';",
        "export type { D } from '../client/d.js';",
        "const e = await import('../sip/e.js');",
        "// console.log('in a comment')",
        'console.error(e); process.stdout.write("x"); process.exit(1);',
      ].join('\n'),
    );
    expect(sample.imports.map((i) => [i.to, i.typeOnly, i.line])).toEqual([
      ['analysis/index.ts', true, 1],
      ['analysis/c.ts', false, 2],
      ['client/d.ts', true, 3],
      ['sip/e.ts', false, 4],
    ]);
    expect(sample.outputCalls).toEqual(['report/sample.ts:6 console.error', 'report/sample.ts:6 process.stdout.write', 'report/sample.ts:6 process.exit']);
  });
});
