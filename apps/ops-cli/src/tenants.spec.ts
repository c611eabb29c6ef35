import {
  formatCreated,
  formatTable,
  formatTenantDetail,
  formatUsage,
  parseTenantsArgs,
  TenantsUsageError,
} from './tenants';

const usageError = (argv: string[]): string => {
  try {
    parseTenantsArgs(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(TenantsUsageError);
    return (error as Error).message;
  }
  throw new Error(`parsed without error: ${argv.join(' ')}`);
};

describe('parseTenantsArgs', () => {
  it('parses create with its options, upper-casing the tenant', () => {
    expect(
      parseTenantsArgs([
        'create',
        'acme',
        '--plan',
        'pro',
        '--mint',
        '--display-name',
        'Acme Roofing',
        '--url',
        'http://h:1',
      ]),
    ).toEqual({
      action: 'create',
      tenant: 'ACME',
      plan: 'pro',
      displayName: 'Acme Roofing',
      mint: true,
      url: 'http://h:1',
    });
    expect(parseTenantsArgs(['create', 'ACME'])).toEqual({
      action: 'create',
      tenant: 'ACME',
      plan: undefined,
      displayName: undefined,
      mint: false,
      url: undefined,
    });
  });

  it('accepts options before the command too', () => {
    expect(parseTenantsArgs(['--url', 'http://h:1', 'suspend', 'ACME'])).toEqual({
      action: 'suspend',
      tenant: 'ACME',
      url: 'http://h:1',
    });
  });

  it('parses the one-tenant commands and plan', () => {
    for (const action of ['show', 'suspend', 'resume'] as const) {
      expect(parseTenantsArgs([action, 'Acme'])).toEqual({ action, tenant: 'ACME', url: undefined });
    }
    expect(parseTenantsArgs(['plan', 'ACME', 'metered'])).toEqual({
      action: 'plan',
      tenant: 'ACME',
      plan: 'metered',
      url: undefined,
    });
    expect(parseTenantsArgs(['list'])).toEqual({ action: 'list', url: undefined });
  });

  it('parses usage with and without --reset', () => {
    expect(parseTenantsArgs(['usage', 'ACME'])).toMatchObject({ action: 'usage', tenant: 'ACME', reset: false });
    expect(parseTenantsArgs(['usage', 'ACME', '--reset'])).toMatchObject({ action: 'usage', reset: true });
  });

  it('parses audit with an optional tenant and a bounded --limit', () => {
    expect(parseTenantsArgs(['audit'])).toEqual({ action: 'audit', limit: 20, url: undefined });
    expect(parseTenantsArgs(['audit', 'acme', '--limit', '5'])).toEqual({
      action: 'audit',
      tenant: 'ACME',
      limit: 5,
      url: undefined,
    });
    for (const limit of ['0', '101', '2.5', 'ten']) {
      expect(usageError(['audit', '--limit', limit])).toContain('--limit must be a whole number from 1 to 100');
    }
  });

  it('refuses to erase without --yes, saying why', () => {
    const message = usageError(['erase', 'ACME']);
    expect(message).toContain('refusing to erase ACME without --yes');
    expect(message).toContain('cannot be undone');
    expect(parseTenantsArgs(['erase', 'acme', '--yes'])).toEqual({ action: 'erase', tenant: 'ACME', url: undefined });
  });

  it('returns help for --help, whatever else is given', () => {
    expect(parseTenantsArgs(['--help'])).toEqual({ action: 'help' });
    expect(parseTenantsArgs(['erase', 'ACME', '--help'])).toEqual({ action: 'help' });
  });

  it('rejects a missing or unknown command with the usage', () => {
    expect(usageError([])).toMatch(/^no command given\.\nUsage: npm run tenants/);
    expect(usageError(['delete', 'ACME'])).toMatch(/^unknown command "delete"\.\nUsage: npm run tenants/);
  });

  it('rejects missing and extra arguments, naming the form of the command', () => {
    expect(usageError(['show'])).toBe('show: missing TENANT (npm run tenants -- show TENANT)');
    expect(usageError(['plan', 'ACME'])).toBe('plan: missing PLAN (npm run tenants -- plan TENANT PLAN)');
    expect(usageError(['plan'])).toBe('plan: missing TENANT and PLAN (npm run tenants -- plan TENANT PLAN)');
    expect(usageError(['suspend', 'ACME', 'BETA'])).toBe(
      'suspend: unexpected argument "BETA" (npm run tenants -- suspend TENANT)',
    );
    expect(usageError(['list', 'ACME'])).toBe('list: unexpected argument "ACME" (npm run tenants -- list)');
  });

  it('rejects options that belong to another command', () => {
    expect(usageError(['suspend', 'ACME', '--mint'])).toBe('suspend does not take --mint');
    expect(usageError(['plan', 'ACME', '--plan', 'pro'])).toBe('plan does not take --plan');
    expect(usageError(['create', 'ACME', '--yes', '--reset'])).toBe('create does not take --yes, --reset');
  });

  it('rejects unknown options and options without their value', () => {
    expect(usageError(['list', '--force'])).toContain("Unknown option '--force'");
    expect(usageError(['create', 'ACME', '--plan'])).toContain("'--plan <value>' argument missing");
  });

  it('rejects tenant names the API would refuse, before calling it', () => {
    for (const name of ['ACME/keys', 'AC ME', 'A'.repeat(65), '../ops', '_ACME']) {
      expect(usageError(['show', name])).toContain('is not a tenant name');
    }
    expect(usageError(['show', '-ACME'])).toContain("Unknown option '-A'");
  });
});

describe('tenants output', () => {
  it('aligns table columns', () => {
    expect(
      formatTable([
        ['A', 'LONGER', 'C'],
        ['wide cell', 1, 'x'],
      ]),
    ).toEqual(['A          LONGER  C', 'wide cell  1       x']);
  });

  it('prints a minted key once, indented, with the warning', () => {
    const out = formatCreated({
      tenant: 'ACME',
      status: 'active',
      plan: 'pro',
      displayName: 'Acme Roofing',
      key: { id: 'k1', key: 'co_live_secret', fingerprint: 'sha256:1a2b3c4d', expiresAt: null },
    });
    expect(out).toEqual([
      'Created tenant ACME ("Acme Roofing"): active, plan pro.',
      'Key k1 (sha256:1a2b3c4d, expires never):',
      '  co_live_secret',
      'This key is shown once and cannot be retrieved again: hand it to the customer now.',
    ]);
    expect(out.join('\n').split('co_live_secret')).toHaveLength(2);
  });

  it('says how to get a key when none was minted', () => {
    expect(formatCreated({ tenant: 'ACME', status: 'active', plan: 'default', displayName: null })[1]).toContain(
      'create with --mint',
    );
  });

  it('shows usage as a table of windows and one of quotas', () => {
    const out = formatUsage({
      tenant: 'ACME',
      plan: 'metered',
      windows: [
        {
          family: 'default',
          name: 'minute',
          limit: 1000,
          windowSeconds: 60,
          used: 3,
          remaining: 997,
          resetSeconds: 42,
        },
        { family: 'ops', name: 'minute', limit: 5, windowSeconds: 60, used: 0, remaining: 5, resetSeconds: 60 },
      ],
      quotas: [
        {
          family: 'default',
          name: 'leadsPerMonth',
          limit: 5000,
          used: 1,
          remaining: 4999,
          resetsAt: '2030-02-01T00:00:00.000Z',
        },
      ],
    });
    expect(out).toEqual([
      'Usage of ACME (plan metered):',
      'FAMILY   WINDOW       LIMIT  USED  REMAINING  RESETS IN',
      'default  minute (1m)  1000   3     997        42s',
      'ops      minute (1m)  5      0     5          60s',
      'FAMILY   QUOTA          LIMIT  USED  REMAINING  RESETS AT',
      'default  leadsPerMonth  5000   1     4999       2030-02-01T00:00:00.000Z',
    ]);
  });

  it('shows the effective limits per route family, and the overrides', () => {
    const out = formatTenantDetail({
      tenant: 'ACME',
      status: 'suspended',
      plan: 'pro',
      displayName: null,
      keys: [],
      limits: {
        default: {
          windows: [
            { name: 'burst', limit: 10, windowSeconds: 1 },
            { name: 'hour', limit: 600, windowSeconds: 3600 },
          ],
          quotas: [{ name: 'leadsPerMonth', limit: 20000 }],
        },
        ops: { windows: [{ name: 'minute', limit: 50, windowSeconds: 60 }], quotas: [] },
      },
      overrides: { default: { quotas: { leadsPerMonth: 20000 } } },
    });
    expect(out).toEqual([
      'Tenant ACME: suspended, plan pro',
      'Keys: none',
      'Limits (plan with this tenant’s overrides):',
      '  /v1/*: 10 per 1s (burst), 600 per 1h (hour), leadsPerMonth 20000',
      '  /ops/*: 50 per 1m (minute)',
      'Overrides: {"default":{"quotas":{"leadsPerMonth":20000}}}',
    ]);
  });
});
