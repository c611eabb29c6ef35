import { OTHER_TENANTS_LABEL, TenantLabels } from './tenant-labels';

describe('TenantLabels', () => {
  it('gives the first `limit` tenants their own label and every later one `_other`', () => {
    const labels = new TenantLabels(2);
    expect(labels.of('A')).toBe('A');
    expect(labels.of('B')).toBe('B');
    expect(labels.of('C')).toBe(OTHER_TENANTS_LABEL);
    // Tenants seen before the cap keep their label.
    expect(labels.of('A')).toBe('A');
    expect(labels.of('D')).toBe(OTHER_TENANTS_LABEL);
  });

  it('with a limit of 0, every tenant is `_other`', () => {
    expect(new TenantLabels(0).of('A')).toBe(OTHER_TENANTS_LABEL);
  });
});
