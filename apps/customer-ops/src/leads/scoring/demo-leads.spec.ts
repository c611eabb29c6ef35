import { featuresOf } from '../../model/features';
import { rocAuc } from '../../model/math/auc';
import { predictLogistic, trainLogistic } from '../../model/math/logistic';
import { stratifiedSplit } from '../../model/math/random';
import { enrich } from '../enrichment/enricher';
import { FINAL_OUTCOMES, isConversion } from '../outcomes';
import { generateDemoLeads } from './demo-leads';

describe('demo data and the conversion model', () => {
  const demo = generateDemoLeads(600, 42);
  const labelled = demo.filter((d) => d.outcome && FINAL_OUTCOMES.includes(d.outcome));
  const rows = labelled.map((d, i) =>
    featuresOf({
      ...enrich(d.lead.details, d.lead.name),
      details: d.lead.details,
      phone: d.lead.phone ?? null,
      email: d.lead.email ?? null,
      company: d.lead.company ?? null,
      createdAt: new Date(Date.UTC(2026, 0, 1 + (i % 28), i % 24)),
    }),
  );
  const labels = labelled.map((d) => (isConversion(d.outcome) ? 1 : 0));

  it('is reproducible from its seed', () => {
    expect(generateDemoLeads(50, 42)).toEqual(generateDemoLeads(50, 42));
    expect(generateDemoLeads(50, 43)).not.toEqual(generateDemoLeads(50, 42));
  });

  it('has both classes, unlabelled outcomes, and every lead reachable', () => {
    expect(labels.filter((l) => l === 1).length).toBeGreaterThan(50);
    expect(labels.filter((l) => l === 0).length).toBeGreaterThan(50);
    expect(demo.some((d) => d.outcome === 'qualified' || d.outcome === 'nurture')).toBe(true);
    for (const d of demo) expect(d.lead.phone ?? d.lead.email).toBeDefined();
  });

  it('lets a trained model reach a hold-out AUC of at least 0.75', () => {
    const split = stratifiedSplit(labels, 0.2, 42);
    const model = trainLogistic(
      split.train.map((i) => rows[i]),
      split.train.map((i) => labels[i]),
    );
    const auc = rocAuc(
      split.test.map((i) => predictLogistic(model, rows[i])),
      split.test.map((i) => labels[i]),
    );
    expect(auc).toBeGreaterThanOrEqual(0.75);
  });
});
