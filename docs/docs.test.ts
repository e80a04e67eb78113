/**
 * Keeps the docs true to the code:
 * 1. docs/errors.md documents exactly the codes of the error registries, with their statuses;
 * 2. every ```ts block in docs/*.md type-checks against the real packages (```ts nocheck is skipped);
 * 3. the orders example in docs/controllers.md is the file docs/examples/orders.ts, and every
 *    request shown there in an ```http block is replayed over real HTTP and must get the response shown.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '@fleet/core';
import { createTestApp, type TestApp } from '@fleet/testing';
import { CLI_ERROR_CODES } from '../packages/cli/src/errors.js';
import { OrdersModule } from './examples/orders.js';

const DOCS = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(DOCS, '..');

/** The top-level pages and the decision records. */
function pages(): string[] {
  const top = readdirSync(DOCS).filter((f) => f.endsWith('.md')).map((f) => join(DOCS, f));
  const decisions = join(DOCS, 'decisions');
  const adrs = existsSync(decisions) ? readdirSync(decisions).filter((f) => f.endsWith('.md')).map((f) => join(decisions, f)) : [];
  return [...top, ...adrs].sort();
}

const read = (file: string) => readFileSync(file, 'utf8');

// ---------------------------------------------------------------------------- markdown

interface Fence {
  /** The info string after the backticks, e.g. `ts`, `ts nocheck`, `http`. */
  info: string;
  body: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** `examples/orders.ts` when the fence follows `<!-- include: examples/orders.ts -->`. */
  include?: string;
}

function fences(markdown: string): Fence[] {
  const out: Fence[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    if (i >= lines.length) throw new Error(`unclosed code fence opened on line ${start + 1}`);
    let before = start - 1;
    while (before >= 0 && lines[before]!.trim() === '') before--;
    const include = before >= 0 ? /^<!-- include: (\S+) -->$/.exec(lines[before]!.trim())?.[1] : undefined;
    out.push({ info: open[1]!.trim(), body: body.join('\n'), line: start + 1, ...(include ? { include } : {}) });
  }
  return out;
}

/** Rows of every markdown table whose header is exactly `header`. */
function tableRows(markdown: string, header: string[]): string[][] {
  const rows: string[][] = [];
  const cells = (line: string) => line.trim().replace(/^\||\|$/g, '').split(/(?<!\\)\|/).map((c) => c.trim());
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.trim().startsWith('|')) continue;
    const head = cells(lines[i]!);
    const isHeader = head.length === header.length && head.every((h, k) => h === header[k]);
    // skip the whole table either way
    let j = i + 1;
    while (j < lines.length && lines[j]!.trim().startsWith('|')) j++;
    if (isHeader) for (let k = i + 2; k < j; k++) rows.push(cells(lines[k]!));
    i = j - 1;
  }
  return rows;
}

// ---------------------------------------------------------------------------- 1. errors reference

describe('docs/errors.md', () => {
  const errorsPage = read(join(DOCS, 'errors.md'));
  const codeOf = (cell: string) => /^`(FLEET_ERR_[A-Z0-9_]+)`$/.exec(cell)?.[1];

  function table(header: string[]): Map<string, string[]> {
    const byCode = new Map<string, string[]>();
    for (const row of tableRows(errorsPage, header)) {
      const code = codeOf(row[0]!);
      expect(code, `first cell of a row must be a code in backticks: | ${row.join(' | ')} |`).toBeDefined();
      expect(byCode.has(code!), `${code} is listed twice`).toBe(false);
      for (const [k, cell] of row.entries()) expect(cell, `${code}: column "${header[k]}" is empty`).not.toBe('');
      byCode.set(code!, row);
    }
    return byCode;
  }

  it('lists exactly the codes of ERROR_CODES (@fleet/core), each with its HTTP status', () => {
    const rows = table(['Code', 'Status', 'Cause', 'Fix']);
    expect([...rows.keys()].sort()).toEqual(Object.keys(ERROR_CODES).sort());
    for (const [code, row] of rows) {
      expect(Number(row[1]), `${code} status`).toBe(ERROR_CODES[code as keyof typeof ERROR_CODES].status);
    }
  });

  it('lists exactly the codes of CLI_ERROR_CODES (@fleet/cli), each with its exit code', () => {
    const rows = table(['Code', 'Exit code', 'Cause', 'Fix']);
    expect([...rows.keys()].sort()).toEqual(Object.keys(CLI_ERROR_CODES).sort());
    for (const [code, row] of rows) {
      expect(Number(row[1]), `${code} exit code`).toBe(CLI_ERROR_CODES[code as keyof typeof CLI_ERROR_CODES].exitCode);
    }
  });

  it('every FLEET_ERR_* code used in packages/*/src is registered', () => {
    const registered = new Set([...Object.keys(ERROR_CODES), ...Object.keys(CLI_ERROR_CODES)]);
    const unregistered: string[] = [];
    const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
    const packages = join(ROOT, 'packages');
    const sources = readdirSync(packages).map((p) => join(packages, p, 'src')).filter(existsSync).flatMap(walk);
    expect(sources.length).toBeGreaterThan(10);
    for (const file of sources) {
      for (const [code] of read(file).matchAll(/FLEET_ERR_[A-Z0-9_]+/g)) {
        if (!registered.has(code)) unregistered.push(`${relative(ROOT, file)}: ${code}`);
      }
    }
    expect(unregistered).toEqual([]);
  });
});

// ---------------------------------------------------------------------------- 2. examples compile

describe('code examples', () => {
  it('every ```ts block in docs/*.md type-checks', () => {
    const tmp = join(DOCS, '.examples-tmp', `${process.pid}-${Date.now().toString(36)}`);
    /** Where each temp file came from, to report diagnostics by page and block. */
    const origin = new Map<string, { page: string; block: number; line: number }>();
    try {
      for (const page of pages()) {
        const name = relative(DOCS, page);
        let block = 0;
        for (const fence of fences(read(page))) {
          if (!/^ts(\s|$)/.test(fence.info)) continue;
          block++;
          if (fence.info === 'ts nocheck') continue;
          expect(fence.info, `${name} block ${block} (line ${fence.line}): use \`\`\`ts or \`\`\`ts nocheck`).toBe('ts');
          // A block may name its file in a first-line comment (`// src/app.module.ts`), and an
          // included file keeps its path (`examples/orders.ts`), so that the other blocks of the same
          // page can import it (`./examples/orders.js`); otherwise a block is a module of its own.
          const named = fence.include ?? /^\/\/ ((?:[\w-]+\/)*[\w.-]+\.ts)\s*$/.exec(fence.body.split('\n', 1)[0]!)?.[1];
          const file = join(tmp, name.replace(/[\\/]/g, '__').replace(/\.md$/, ''), named ?? `block-${block}.ts`);
          expect(existsSync(file), `${name} block ${block} (line ${fence.line}): a block earlier on the page already is ${named}`).toBe(false);
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(file, `${fence.body}\n`);
          origin.set(resolve(file), { page: name, block, line: fence.line });
        }
      }
      expect(origin.size).toBeGreaterThan(10);

      const base = ts.readConfigFile(join(ROOT, 'tsconfig.base.json'), ts.sys.readFile);
      const parsed = ts.parseJsonConfigFileContent(base.config, ts.sys, ROOT);
      const options: ts.CompilerOptions = {
        ...parsed.options,
        noEmit: true,
        composite: false,
        declaration: false,
        declarationMap: false,
        sourceMap: false,
        incremental: false,
        noUnusedLocals: false,
        noUnusedParameters: false,
        baseUrl: ROOT,
        paths: {
          '@fleet/core': ['packages/core/src/index.ts'],
          '@fleet/testing': ['packages/testing/src/index.ts'],
        },
        types: ['node'],
      };
      const program = ts.createProgram({ rootNames: [...origin.keys()], options });

      const problems: string[] = [];
      const describeDiagnostic = (d: ts.Diagnostic) => {
        const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
        if (!d.file) return `TS${d.code}: ${text}`;
        const from = origin.get(resolve(d.file.fileName));
        const { line } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
        return from
          ? `${from.page} block ${from.block} (markdown line ${from.line + 1 + line}): TS${d.code}: ${text}`
          : `${relative(ROOT, d.file.fileName)}:${line + 1}: TS${d.code}: ${text}`;
      };
      for (const d of [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()]) problems.push(describeDiagnostic(d));
      for (const file of origin.keys()) {
        const sf = program.getSourceFile(file);
        if (!sf) { problems.push(`${file}: not part of the program`); continue; }
        for (const d of [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]) problems.push(describeDiagnostic(d));
      }
      expect(problems, problems.join('\n')).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
      try { rmdirSync(dirname(tmp)); } catch { /* another run still uses it */ }
    }
  }, 120_000);
});

// ---------------------------------------------------------------------------- 3. the orders example runs

describe('docs/controllers.md: the orders example', () => {
  const page = read(join(DOCS, 'controllers.md'));

  it('includes docs/examples/orders.ts verbatim', () => {
    const includes = [...page.matchAll(/<!-- include: (\S+) -->\n+```ts\n([\s\S]*?)\n```/g)];
    expect(includes.map((m) => m[1])).toContain('examples/orders.ts');
    for (const [, file, body] of includes) {
      expect(body, `the block after <!-- include: ${file} --> differs from docs/${file}`).toBe(read(join(DOCS, file!)).replace(/\n$/, ''));
    }
  });

  interface Exchange {
    line: number;
    method: string;
    path: string;
    headers: Record<string, string>;
    body?: string;
    status: number;
    responseHeaders: Record<string, string>;
    response?: unknown;
  }

  /**
   * ```http blocks: a request line (`POST /orders`), header lines (`idempotency-key: k-1`), an
   * optional raw body, then `// => 201 {...}`; the JSON may continue on `//` lines, after optional
   * `// header: value` lines that the response must carry. A blank line separates exchanges.
   */
  function exchanges(markdown: string): Exchange[] {
    const out: Exchange[] = [];
    for (const fence of fences(markdown).filter((f) => f.info === 'http')) {
      const groups = fence.body.split(/\n\s*\n/);
      let offset = fence.line + 1;
      for (const group of groups) {
        const lines = group.split('\n');
        const at = offset;
        offset += lines.length + 1;
        const request = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (\S+)$/.exec(lines[0]!);
        if (!request) throw new Error(`controllers.md line ${at}: expected "METHOD /path", got ${JSON.stringify(lines[0])}`);
        const arrow = lines.findIndex((l) => l.startsWith('// =>'));
        if (arrow < 0) throw new Error(`controllers.md line ${at}: no "// => STATUS" line`);
        const headers: Record<string, string> = {};
        let k = 1;
        for (; k < arrow && /^[A-Za-z0-9-]+: /.test(lines[k]!); k++) {
          const [name, ...value] = lines[k]!.split(': ');
          headers[name!.toLowerCase()] = value.join(': ');
        }
        const body = k < arrow ? lines.slice(k, arrow).join('\n') : undefined;
        const first = /^\/\/ => (\d{3})\s*(.*)$/.exec(lines[arrow]!);
        if (!first) throw new Error(`controllers.md line ${at + arrow}: expected "// => STATUS [json]"`);
        const rest = lines.slice(arrow + 1).map((l) => {
          if (!l.startsWith('//')) throw new Error(`controllers.md line ${at}: response lines must start with //`);
          return l.replace(/^\/\/ ?/, '');
        });
        const responseHeaders: Record<string, string> = {};
        while (rest.length > 0 && !first[2] && /^[a-z][a-z0-9-]*: /.test(rest[0]!)) {
          const [name, ...value] = rest.shift()!.split(': ');
          responseHeaders[name!] = value.join(': ');
        }
        const json = [first[2], ...rest].join('\n').trim();
        out.push({
          line: at, method: request[1]!, path: request[2]!, headers, ...(body !== undefined ? { body } : {}),
          status: Number(first[1]), responseHeaders, ...(json ? { response: JSON.parse(json) } : {}),
        });
      }
    }
    return out;
  }

  let t: TestApp;
  beforeAll(async () => { t = await createTestApp(OrdersModule, { production: true }); });
  afterAll(async () => { await t?.close(); });

  it('answers every request shown on the page with the response shown', async () => {
    const list = exchanges(page);
    expect(list.length).toBeGreaterThanOrEqual(8);
    for (const ex of list) {
      const res = await fetch(`${t.url}${ex.path}`, {
        method: ex.method,
        headers: { ...(ex.body !== undefined ? { 'content-type': 'application/json' } : {}), ...ex.headers },
        ...(ex.body !== undefined ? { body: ex.body } : {}),
      });
      const text = await res.text();
      const where = `controllers.md line ${ex.line}: ${ex.method} ${ex.path} answered ${res.status} ${text}`;
      expect(res.status, where).toBe(ex.status);
      for (const [name, value] of Object.entries(ex.responseHeaders)) expect(res.headers.get(name), `${where} (header ${name})`).toBe(value);
      if (ex.response === undefined) expect(text, where).toBe('');
      else expect(JSON.parse(text), where).toEqual(ex.response);
    }
  });
});
