import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { REPO_ROOT } from './api-process';
import { Scrape } from './prometheus';

/**
 * PromQL as the deploy files use it: where each expression comes from, and which metric
 * names and labels it depends on. The analysis is lexical (a tokenizer and a walk over the
 * tokens), which is enough for the expressions dashboards and alert rules are made of.
 */

export interface NamedExpression {
  /** Where the expression lives, for messages: `dashboard "Tenants"`, `alert NoTenants`. */
  source: string;
  expr: string;
}

export interface LabelMatcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

export interface Selector {
  /** null for a selector without a name (`{job="x"}`). */
  metric: string | null;
  matchers: LabelMatcher[];
  /** The selector as written, without range or offset: `http_requests_total{status=~"5.."}`. */
  text: string;
}

export interface Grouping {
  clause: 'by' | 'without' | 'on' | 'ignoring' | 'group_left' | 'group_right';
  labels: string[];
  /** Metrics the labels must come from: the aggregated argument, or the whole expression. */
  metrics: string[];
}

export interface Analysis {
  selectors: Selector[];
  groupings: Grouping[];
  /** Distinct metric names, in order of appearance. */
  metrics: string[];
}

/** The seed guide's PromQL quick checks, verbatim. */
export const SEED_QUICK_CHECKS: NamedExpression[] = [
  { source: 'seed quick check: tenants count', expr: 'api_tenants_count' },
  { source: 'seed quick check: lead enrichment rate', expr: 'rate(lead_enrich_total[5m])' },
  {
    source: 'seed quick check: error ratio',
    expr: 'sum(rate(http_requests_total{status=~"5.."}[5m]))\n/\nsum(rate(http_requests_total[5m]))',
  },
  { source: 'seed quick check: request rate by endpoint', expr: 'rate(http_requests_total[5m])' },
];

const AGGREGATIONS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
  'limitk',
  'limit_ratio',
]);
const GROUPING_CLAUSES = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const OTHER_KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'atan2', 'inf', 'nan']);

type TokenKind = 'ident' | 'string' | 'number' | 'punct' | 'op';
interface Token {
  kind: TokenKind;
  text: string;
  start: number;
  end: number;
}

function unquote(literal: string): string {
  const body = literal.slice(1, -1);
  return literal.startsWith('`') ? body : body.replace(/\\(.)/g, '$1');
}

export function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, start: number, end: number) =>
    tokens.push({ kind, text: expr.slice(start, end), start, end });
  while (i < expr.length) {
    const c = expr[i];
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === '#') {
      while (i < expr.length && expr[i] !== '\n') i += 1;
    } else if (c === '"' || c === "'" || c === '`') {
      const start = i;
      i += 1;
      while (i < expr.length && expr[i] !== c) i += c !== '`' && expr[i] === '\\' ? 2 : 1;
      if (i >= expr.length) throw new Error(`unterminated string in: ${expr}`);
      i += 1;
      push('string', start, i);
    } else if (c === '[') {
      // Ranges, subqueries: durations only, nothing to check.
      const start = i;
      while (i < expr.length && expr[i] !== ']') i += 1;
      i += 1;
      push('punct', start, start + 1);
      tokens[tokens.length - 1].text = '[]';
      tokens[tokens.length - 1].end = i;
    } else if (/[0-9.]/.test(c)) {
      const start = i;
      while (i < expr.length && /[0-9a-zA-Z_.+]/.test(expr[i])) {
        // An exponent sign belongs to the number (1e+3); any other + is an operator.
        if (expr[i] === '+' && !/[eE]/.test(expr[i - 1])) break;
        i += 1;
      }
      push('number', start, i);
    } else if (/[a-zA-Z_:]/.test(c)) {
      const start = i;
      while (i < expr.length && /[a-zA-Z0-9_:]/.test(expr[i])) i += 1;
      push('ident', start, i);
    } else if ('(){},'.includes(c)) {
      push('punct', i, i + 1);
      i += 1;
    } else {
      const two = expr.slice(i, i + 2);
      const width = ['=~', '!~', '!=', '==', '>=', '<='].includes(two) ? 2 : 1;
      push('op', i, i + width);
      i += width;
    }
  }
  return tokens;
}

function matchingParens(tokens: Token[]): Map<number, number> {
  const pairs = new Map<number, number>();
  const open: number[] = [];
  tokens.forEach((token, index) => {
    if (token.text === '(') open.push(index);
    if (token.text === ')') {
      const from = open.pop();
      if (from === undefined) throw new Error('unbalanced parentheses');
      pairs.set(from, index);
    }
  });
  if (open.length > 0) throw new Error('unbalanced parentheses');
  return pairs;
}

/** Reads `( a, b )` starting at the `(`; returns the labels and the index after `)`. */
function labelList(tokens: Token[], open: number): { labels: string[]; next: number } {
  const labels: string[] = [];
  let i = open + 1;
  while (i < tokens.length && tokens[i].text !== ')') {
    if (tokens[i].kind === 'ident' || tokens[i].kind === 'string') {
      labels.push(tokens[i].kind === 'string' ? unquote(tokens[i].text) : tokens[i].text);
    }
    i += 1;
  }
  return { labels, next: i + 1 };
}

/** Reads `{ a="x", b=~"y" }` starting at the `{`; returns the matchers and the index of `}`. */
function matcherList(tokens: Token[], open: number): { matchers: LabelMatcher[]; close: number } {
  const matchers: LabelMatcher[] = [];
  let i = open + 1;
  while (i < tokens.length && tokens[i].text !== '}') {
    const [label, op, value] = [tokens[i], tokens[i + 1], tokens[i + 2]];
    if (label.kind === 'ident' && op?.kind === 'op' && value?.kind === 'string') {
      matchers.push({ label: label.text, op: op.text as LabelMatcher['op'], value: unquote(value.text) });
      i += 3;
    } else if (label.kind === 'string') {
      // A quoted metric name inside braces: {"http_requests_total"} (Prometheus 3).
      matchers.push({ label: '__name__', op: '=', value: unquote(label.text) });
      i += 1;
    } else {
      i += 1;
    }
  }
  return { matchers, close: i };
}

export function analysePromql(expr: string): Analysis {
  const tokens = tokenize(expr);
  const parens = matchingParens(tokens);
  const selectors: Array<Selector & { at: number }> = [];
  const groupings: Array<{ clause: Grouping['clause']; labels: string[]; range: [number, number] | null }> = [];
  const consumed = new Set<number>();

  for (let i = 0; i < tokens.length; i += 1) {
    if (consumed.has(i)) continue;
    const token = tokens[i];
    const next = tokens[i + 1];
    const lower = token.text.toLowerCase();
    if (token.kind === 'ident' && AGGREGATIONS.has(lower) && (next?.text === '(' || GROUPING_CLAUSES.has(next?.text))) {
      // sum by (a) (x)  |  sum (x) by (a)  |  sum (x)
      let argOpen = i + 1;
      const labels: Array<{ clause: Grouping['clause']; labels: string[] }> = [];
      if (next.text !== '(') {
        const list = labelList(tokens, i + 2);
        labels.push({ clause: next.text as Grouping['clause'], labels: list.labels });
        for (let k = i + 1; k < list.next; k += 1) consumed.add(k);
        argOpen = list.next;
      }
      const argClose = parens.get(argOpen);
      if (argClose === undefined) throw new Error(`cannot read the argument of ${token.text} in: ${expr}`);
      const after = tokens[argClose + 1];
      if (after && (after.text === 'by' || after.text === 'without') && tokens[argClose + 2]?.text === '(') {
        const list = labelList(tokens, argClose + 2);
        labels.push({ clause: after.text, labels: list.labels });
        for (let k = argClose + 1; k < list.next; k += 1) consumed.add(k);
      }
      for (const group of labels) groupings.push({ ...group, range: [argOpen, argClose] });
      continue;
    }
    if (token.kind === 'ident' && GROUPING_CLAUSES.has(lower)) {
      if (next?.text === '(') {
        const list = labelList(tokens, i + 1);
        groupings.push({ clause: lower as Grouping['clause'], labels: list.labels, range: null });
        for (let k = i + 1; k < list.next; k += 1) consumed.add(k);
      }
      continue;
    }
    if (token.kind === 'ident' && (OTHER_KEYWORDS.has(lower) || next?.text === '(')) continue; // keyword or function
    if (token.kind === 'ident' || token.text === '{') {
      const metric = token.kind === 'ident' ? token.text : null;
      const braceAt = metric ? (next?.text === '{' ? i + 1 : -1) : i;
      let matchers: LabelMatcher[] = [];
      let end = token.end;
      if (braceAt >= 0) {
        const list = matcherList(tokens, braceAt);
        matchers = list.matchers;
        end = tokens[list.close]?.end ?? expr.length;
        for (let k = braceAt; k <= list.close; k += 1) consumed.add(k);
      }
      const named = matchers.find((m) => m.label === '__name__' && m.op === '=');
      selectors.push({
        metric: metric ?? named?.value ?? null,
        matchers: matchers.filter((m) => m.label !== '__name__'),
        text: expr.slice(token.start, end),
        at: i,
      });
    }
  }

  const metricsIn = (range: [number, number] | null) => [
    ...new Set(
      selectors
        .filter((s) => s.metric && (!range || (s.at > range[0] && s.at < range[1])))
        .map((s) => s.metric as string),
    ),
  ];
  return {
    selectors: selectors.map(({ metric, matchers, text }) => ({ metric, matchers, text })),
    groupings: groupings
      .filter((g) => g.labels.length > 0)
      .map((g) => ({ clause: g.clause, labels: g.labels, metrics: metricsIn(g.range) })),
    metrics: metricsIn(null),
  };
}

export const DASHBOARDS_DIR = join(REPO_ROOT, 'deploy/grafana/dashboards');
export const ALERTS_FILE = join(REPO_ROOT, 'deploy/prometheus/alerts.yml');

interface DashboardPanel {
  title?: string;
  targets?: Array<{ expr?: string }>;
  panels?: DashboardPanel[];
}

/** Every target expression of every panel (rows included) of every dashboard JSON file. */
export function dashboardExpressions(dir = DASHBOARDS_DIR): NamedExpression[] {
  const found: NamedExpression[] = [];
  const walk = (file: string, panels: DashboardPanel[] = []) => {
    for (const panel of panels) {
      for (const target of panel.targets ?? []) {
        if (target.expr) found.push({ source: `${file} panel "${panel.title ?? '?'}"`, expr: target.expr });
      }
      walk(file, panel.panels);
    }
  };
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.json'))) {
    const dashboard = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { panels?: DashboardPanel[] };
    walk(file, dashboard.panels);
  }
  return found;
}

/** Every alerting and recording rule expression of a Prometheus rules file. */
export function ruleExpressions(file = ALERTS_FILE): NamedExpression[] {
  const doc = parseYaml(readFileSync(file, 'utf8')) as {
    groups: Array<{ rules: Array<{ alert?: string; record?: string; expr: string }> }>;
  };
  return doc.groups.flatMap((group) =>
    group.rules.map((rule) => ({
      source: rule.alert ? `alert ${rule.alert}` : `record ${rule.record}`,
      expr: String(rule.expr),
    })),
  );
}

/** Dashboards, alert rules and the seed's quick checks: everything an operator will run. */
export function allDeployExpressions(): NamedExpression[] {
  return [...dashboardExpressions(), ...ruleExpressions(), ...SEED_QUICK_CHECKS];
}

/** Whether the scrape declares `name`, directly or as a histogram/summary series. */
export function isExported(scrape: Scrape, name: string): boolean {
  if (scrape.types.has(name)) return true;
  const series = /^(.*)_(bucket|sum|count)$/.exec(name);
  if (!series) return false;
  const baseType = scrape.types.get(series[1]);
  return baseType === 'histogram' || (baseType === 'summary' && series[2] !== 'bucket');
}

/** Label names carried by at least one sample of `name`. */
export function exportedLabels(scrape: Scrape, name: string): Set<string> {
  return new Set(scrape.samples.filter((s) => s.name === name).flatMap((s) => Object.keys(s.labels)));
}

/**
 * What an expression needs that the scrape does not provide: metric names that are not
 * exported, and labels (in matchers or grouping clauses) no sample of the metric carries.
 */
export function missingFromScrape(scrape: Scrape, named: NamedExpression): string[] {
  const problems: string[] = [];
  const analysis = analysePromql(named.expr);
  for (const metric of analysis.metrics) {
    if (!isExported(scrape, metric)) problems.push(`${named.source}: metric ${metric} is not exported`);
  }
  for (const selector of analysis.selectors) {
    if (!selector.metric || !isExported(scrape, selector.metric)) continue;
    const labels = exportedLabels(scrape, selector.metric);
    for (const matcher of selector.matchers) {
      if (!labels.has(matcher.label)) {
        problems.push(`${named.source}: ${selector.metric} has no samples with label ${matcher.label}`);
      }
    }
  }
  for (const grouping of analysis.groupings) {
    const candidates = grouping.metrics.filter((metric) => isExported(scrape, metric));
    if (candidates.length === 0) continue;
    for (const label of grouping.labels) {
      if (!candidates.some((metric) => exportedLabels(scrape, metric).has(label))) {
        problems.push(
          `${named.source}: ${grouping.clause} (${label}) but no sample of ${candidates.join(', ')} has it`,
        );
      }
    }
  }
  return problems;
}
