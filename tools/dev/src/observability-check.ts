// Checks what ships in deploy/observability: the Grafana dashboard and the Prometheus alert rules have
// the structure their tools load, every PromQL expression parses (the Prometheus project's own grammar,
// @prometheus-io/lezer-promql), and every metric they query is one a running service exposes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export const DASHBOARD_FILE = 'deploy/observability/grafana/pollcast-overview.json';
export const ALERT_RULES_FILE = 'deploy/observability/prometheus/pollcast-alerts.yaml';

const prometheusDatasource = z.object({ type: z.literal('prometheus'), uid: z.literal('${datasource}') });
const gridPos = z
  .object({
    h: z.number().int().min(1),
    w: z.number().int().min(1).max(24),
    x: z.number().int().min(0).max(23),
    y: z.number().int().min(0),
  })
  .refine((pos) => pos.x + pos.w <= 24, 'extends past the 24 grid columns');
const rowPanel = z.object({
  type: z.literal('row'),
  id: z.number().int(),
  title: z.string().min(1),
  gridPos,
});
const dataPanel = z.object({
  type: z.enum(['timeseries', 'stat']),
  id: z.number().int(),
  title: z.string().min(1),
  description: z.string().min(1),
  datasource: prometheusDatasource,
  gridPos,
  targets: z
    .array(z.object({ refId: z.string(), expr: z.string().min(1), datasource: prometheusDatasource }))
    .min(1),
});
const dashboardSchema = z.object({
  title: z.string().min(1),
  uid: z.string().regex(/^[a-z0-9-]{1,40}$/),
  schemaVersion: z.number().int(),
  templating: z.object({ list: z.array(z.object({ name: z.string() })) }),
  panels: z.array(z.union([rowPanel, dataPanel])).min(1),
});

const alertRule = z
  .object({
    alert: z.string().regex(/^Pollcast[A-Z][A-Za-z]+$/),
    expr: z.string().min(1),
    for: z
      .string()
      .regex(/^\d+[smh]$/)
      .optional(),
    labels: z.object({ severity: z.enum(['critical', 'warning', 'info']) }).strict(),
    annotations: z.object({ summary: z.string().min(1), description: z.string().min(1) }).strict(),
  })
  .strict();
const ruleFileSchema = z
  .object({
    groups: z.array(z.object({ name: z.string().min(1), rules: z.array(alertRule).min(1) }).strict()).min(1),
  })
  .strict();

/** Every PromQL expression of the dashboard and the rules, with where it is. */
export interface QueryUse {
  where: string;
  expr: string;
}

export function loadQueries(root: string): { queries: QueryUse[]; problems: string[] } {
  const problems: string[] = [];
  const queries: QueryUse[] = [];
  const dashboard = dashboardSchema.safeParse(JSON.parse(readFileSync(join(root, DASHBOARD_FILE), 'utf8')));
  if (!dashboard.success) problems.push(...issues(DASHBOARD_FILE, dashboard.error));
  else {
    const ids = dashboard.data.panels.map((panel) => panel.id);
    if (new Set(ids).size !== ids.length) problems.push(`${DASHBOARD_FILE}: panel ids are not unique`);
    for (const panel of dashboard.data.panels) {
      if (panel.type === 'row') continue;
      for (const target of panel.targets) {
        queries.push({
          where: `${DASHBOARD_FILE}: panel "${panel.title}" ${target.refId}`,
          expr: target.expr,
        });
      }
    }
  }
  const rules = ruleFileSchema.safeParse(parseYaml(readFileSync(join(root, ALERT_RULES_FILE), 'utf8')));
  if (!rules.success) problems.push(...issues(ALERT_RULES_FILE, rules.error));
  else {
    const names = rules.data.groups.flatMap((group) => group.rules.map((rule) => rule.alert));
    if (new Set(names).size !== names.length)
      problems.push(`${ALERT_RULES_FILE}: alert names are not unique`);
    for (const group of rules.data.groups) {
      for (const rule of group.rules)
        queries.push({ where: `${ALERT_RULES_FILE}: ${rule.alert}`, expr: rule.expr });
    }
  }
  return { queries, problems };
}

/** The metric names an expression selects, or why it does not parse. Grafana's `$__…` intervals count as 5m. */
export function metricNamesIn(expr: string): { names: string[]; syntaxErrors: string[] } {
  const promql = expr.replace(/\$__(rate_interval|interval|range)/g, '5m');
  const tree = parser.parse(promql);
  const names: string[] = [];
  const syntaxErrors: string[] = [];
  tree.iterate({
    enter: (node) => {
      if (node.type.isError) {
        syntaxErrors.push(
          `does not parse at ${node.from}: "${promql.slice(Math.max(0, node.from - 10), node.to + 10)}"`,
        );
      }
      if (node.name === 'VectorSelector') {
        const identifier = node.node.getChild('Identifier');
        if (identifier !== null) names.push(promql.slice(identifier.from, identifier.to));
      }
    },
  });
  return { names, syntaxErrors };
}

/** Names a Prometheus scrape of `text` yields (a histogram's _bucket, _sum and _count included). */
export function exposedMetricNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const match of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name = '', type] = match;
    names.add(name);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(name + suffix);
  }
  return names;
}

/** Every problem found; empty when the dashboard and rules load and query only what `scrapes` expose. */
export function checkObservability(root: string, scrapes: readonly string[]): string[] {
  const { queries, problems } = loadQueries(root);
  const exposed = new Set(scrapes.flatMap((text) => [...exposedMetricNames(text)]));
  for (const query of queries) {
    const { names, syntaxErrors } = metricNamesIn(query.expr);
    problems.push(...syntaxErrors.map((error) => `${query.where}: ${error}`));
    if (names.length === 0) problems.push(`${query.where}: selects no metric`);
    for (const name of names) {
      if (!exposed.has(name)) problems.push(`${query.where}: ${name} is not exposed by any service`);
    }
  }
  return problems;
}

function issues(file: string, error: z.ZodError): string[] {
  return error.issues.map((issue) => `${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
}
