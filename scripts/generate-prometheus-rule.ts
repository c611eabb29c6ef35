import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Document, isMap, parseDocument, YAMLMap } from 'yaml';

/*
 * npm run generate:prometheus-rule [-- --check]
 *
 * Writes the Prometheus Operator's PrometheusRule for Kubernetes
 * (deploy/kubernetes/base/prometheusrule.yaml) from deploy/prometheus/alerts.yml, the one
 * place the alert rules are written: the compose stack's Prometheus loads that file as it
 * is, and the cluster's Prometheus gets the same groups through this object. The groups are
 * copied node by node, so block scalars and comments keep their form. With --check nothing
 * is written, and the exit status is 1 when the committed file is not what would be written.
 */

const ROOT = join(__dirname, '..');
export const ALERTS_PATH = 'deploy/prometheus/alerts.yml';
export const PROMETHEUS_RULE_PATH = 'deploy/kubernetes/base/prometheusrule.yaml';

const HEADER = [
  `Generated from ${ALERTS_PATH} by \`npm run generate:prometheus-rule\`: do not edit.`,
  'The alert rules are written once, in that file; change them there and run the script again.',
  'A test fails when this file differs from what the script writes.',
];

/** The PrometheusRule manifest (YAML text) carrying the rule groups of an alerts.yml text. */
export function renderPrometheusRule(alertsText: string): string {
  const alerts = parseDocument(alertsText, { keepSourceTokens: false });
  if (alerts.errors.length > 0) throw new Error(`${ALERTS_PATH}: ${alerts.errors[0].message}`);
  const groups = isMap(alerts.contents) ? alerts.contents.get('groups', true) : undefined;
  if (!groups) throw new Error(`${ALERTS_PATH} has no groups`);

  const rule = new Document({
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: 'customer-ops',
      labels: { 'app.kubernetes.io/name': 'customer-ops', 'app.kubernetes.io/component': 'alerts' },
    },
    spec: {},
  });
  (rule.get('spec') as YAMLMap).set('groups', groups);
  rule.commentBefore = HEADER.map((line) => ` ${line}`).join('\n');
  return rule.toString({ lineWidth: 100 });
}

function main(): void {
  const check = process.argv.includes('--check');
  const expected = renderPrometheusRule(readFileSync(join(ROOT, ALERTS_PATH), 'utf8'));
  const target = join(ROOT, PROMETHEUS_RULE_PATH);
  if (check) {
    let current = '';
    try {
      current = readFileSync(target, 'utf8');
    } catch {
      // A missing file is out of date too.
    }
    if (current !== expected) {
      process.stderr.write(`${PROMETHEUS_RULE_PATH} is out of date: run npm run generate:prometheus-rule\n`);
      process.exitCode = 1;
    }
    return;
  }
  writeFileSync(target, expected);
  process.stdout.write(`wrote ${relative(process.cwd(), target) || target}\n`);
}

if (require.main === module) main();
