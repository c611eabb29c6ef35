/** Label value for tenants beyond the cap. */
export const OTHER_TENANTS_LABEL = '_other';

/**
 * Keeps the `tenant` label of metrics bounded: the first `limit` tenants seen get their own
 * series, every later one is counted as `_other`.
 */
export class TenantLabels {
  private readonly seen = new Set<string>();

  constructor(private readonly limit: number) {}

  of(tenant: string): string {
    if (this.seen.has(tenant)) return tenant;
    if (this.seen.size >= this.limit) return OTHER_TENANTS_LABEL;
    this.seen.add(tenant);
    return tenant;
  }
}
