import type ts from 'typescript';
import type { AppFacts } from './app-facts.js';
import { position } from './ast.js';
import type { CodeContexts } from './contexts.js';
import type { LoadedApp } from './load-program.js';
import { RULES, type Finding, type RuleId } from './report.js';

/** What a rule reads, and where it reports. */
export interface RuleContext {
  app: LoadedApp;
  checker: ts.TypeChecker;
  facts: AppFacts;
  contexts: CodeContexts;
  report(rule: RuleId, node: ts.Node, message: string, fix: string): void;
  /** The same, at a character offset of a file (for parser diagnostics, which have no node). */
  reportAt(rule: RuleId, sf: ts.SourceFile, offset: number, message: string, fix: string): void;
}

export type Rule = (ctx: RuleContext) => void;

export function createRuleContext(app: LoadedApp, facts: AppFacts, contexts: CodeContexts, findings: Finding[]): RuleContext {
  return {
    app, facts, contexts, checker: app.checker,
    report(rule, node, message, fix) {
      findings.push({ rule, severity: RULES[rule].severity, file: app.shown(node.getSourceFile()), ...position(node), message, fix });
    },
    reportAt(rule, sf, offset, message, fix) {
      const { line, character } = sf.getLineAndCharacterOfPosition(offset);
      findings.push({ rule, severity: RULES[rule].severity, file: app.shown(sf), line: line + 1, column: character + 1, message, fix });
    },
  };
}
