import { parseArgs } from 'node:util';
import { TENANT_NAME_PATTERN, TENANT_NAME_RULE } from '@app/api-keys';
import { readProcessEnvironment } from '@app/config';
import { ApiClient } from './api-client';

export const TENANTS_USAGE = `Usage: npm run tenants -- <command> [arguments] [--url http://localhost:8000]

Commands:
  list                          every tenant with its status, plan and number of keys
  show TENANT                   one tenant: keys, effective limits and overrides
  create TENANT [--plan PLAN] [--display-name NAME] [--mint]
                                onboard a tenant; --mint also mints its first key, shown once
  plan TENANT PLAN              move a tenant to another plan (a plan of PLANS_FILE, or default)
  suspend TENANT                refuse every key of the tenant (403) until it is resumed
  resume TENANT                 accept the tenant's keys again
  usage TENANT [--reset]        rate-limit windows and quotas used so far; --reset clears them
  audit [TENANT] [--limit N]    the latest admin changes, newest first (default 20)
  erase TENANT --yes            delete the tenant with its leads, outcomes and keys (no undo)

Each command is one call to the admin API, with API_ADMIN_KEY from the environment; the URL
may also come from CUSTOMER_OPS_URL. Tenant names are case-insensitive (stored upper-case).`;

export type TenantsAction = 'list' | 'show' | 'create' | 'plan' | 'suspend' | 'resume' | 'usage' | 'audit' | 'erase';

export interface TenantsCommand {
  action: TenantsAction | 'help';
  tenant?: string;
  plan?: string;
  displayName?: string;
  mint?: boolean;
  reset?: boolean;
  limit?: number;
  url?: string;
}

type OptionName = 'plan' | 'display-name' | 'mint' | 'reset' | 'yes' | 'limit';

/** Per command: its positional arguments (a trailing `?` marks an optional one) and its options. */
const COMMANDS: Record<TenantsAction, { args: string[]; options: OptionName[] }> = {
  list: { args: [], options: [] },
  show: { args: ['TENANT'], options: [] },
  create: { args: ['TENANT'], options: ['plan', 'display-name', 'mint'] },
  plan: { args: ['TENANT', 'PLAN'], options: [] },
  suspend: { args: ['TENANT'], options: [] },
  resume: { args: ['TENANT'], options: [] },
  usage: { args: ['TENANT'], options: ['reset'] },
  audit: { args: ['TENANT?'], options: ['limit'] },
  erase: { args: ['TENANT'], options: ['yes'] },
};

const isAction = (name: string): name is TenantsAction => Object.hasOwn(COMMANDS, name);

/** A mistake in the command line; the message says what is wrong and how to call it. */
export class TenantsUsageError extends Error {}

function tenantName(value: string): string {
  if (!TENANT_NAME_PATTERN.test(value)) {
    throw new TenantsUsageError(`"${value}" is not a tenant name: tenant names are ${TENANT_NAME_RULE}`);
  }
  return value.toUpperCase();
}

/** Parses `tenants <command> …` without side effects; throws TenantsUsageError on a bad command line. */
export function parseTenantsArgs(argv: string[]): TenantsCommand {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(argv);
  } catch (error) {
    throw new TenantsUsageError(`${(error as Error).message}\n${TENANTS_USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { action: 'help' };
  const [name, ...args] = positionals;
  if (!name) throw new TenantsUsageError(`no command given.\n${TENANTS_USAGE}`);
  if (!isAction(name)) throw new TenantsUsageError(`unknown command "${name}".\n${TENANTS_USAGE}`);

  const spec = COMMANDS[name];
  const required = spec.args.filter((arg) => !arg.endsWith('?'));
  const synopsis = [name, ...spec.args.map((arg) => (arg.endsWith('?') ? `[${arg.slice(0, -1)}]` : arg))].join(' ');
  const misplaced = (Object.keys(values) as Array<keyof typeof values>).filter(
    (option) => option !== 'url' && option !== 'help' && !spec.options.includes(option),
  );
  if (misplaced.length > 0) throw new TenantsUsageError(`${name} does not take --${misplaced.join(', --')}`);

  if (args.length < required.length) {
    throw new TenantsUsageError(
      `${name}: missing ${required.slice(args.length).join(' and ')} (npm run tenants -- ${synopsis})`,
    );
  }
  if (args.length > spec.args.length) {
    throw new TenantsUsageError(
      `${name}: unexpected argument "${args[spec.args.length]}" (npm run tenants -- ${synopsis})`,
    );
  }
  const command: TenantsCommand = { action: name, url: values.url };
  if (args[0] !== undefined) command.tenant = tenantName(args[0]);
  if (name === 'plan') command.plan = args[1];
  if (name === 'create') {
    command.plan = values.plan;
    command.displayName = values['display-name'];
    command.mint = values.mint ?? false;
  }
  if (name === 'usage') command.reset = values.reset ?? false;
  if (name === 'audit') command.limit = pageLimit(values.limit);
  if (name === 'erase' && !values.yes) {
    throw new TenantsUsageError(
      `refusing to erase ${command.tenant} without --yes: erasing deletes all of its leads, outcomes, ` +
        'Idempotency-Keys and keys, and cannot be undone',
    );
  }
  return command;
}

function parseOptions(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      url: { type: 'string' },
      plan: { type: 'string' },
      'display-name': { type: 'string' },
      mint: { type: 'boolean' },
      reset: { type: 'boolean' },
      yes: { type: 'boolean' },
      limit: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
}

function pageLimit(value: string | undefined): number {
  if (value === undefined) return 20;
  const limit = Number(value);
  if (!/^\d+$/.test(value) || limit < 1 || limit > 100) {
    throw new TenantsUsageError(`--limit must be a whole number from 1 to 100, not "${value}"`);
  }
  return limit;
}

// --- What the admin API answers (the parts shown here) -------------------------------------

interface Key {
  id: string;
  source: string;
  fingerprint: string;
  createdAt?: string;
  expiresAt: string | null;
  revokedAt?: string;
  lastUsedAt?: string | null;
}
interface Tenant {
  tenant: string;
  status: string;
  plan: string;
  displayName: string | null;
  createdAt?: string;
  updatedAt?: string;
}
interface FamilyLimits {
  windows: Array<{ name: string; limit: number; windowSeconds: number }>;
  quotas: Array<{ name: string; limit: number }>;
}
export interface TenantDetail extends Tenant {
  keys: Key[];
  limits: Record<string, FamilyLimits>;
  overrides: Record<string, unknown> | null;
}
export interface CreatedTenant extends Tenant {
  key?: { id: string; key: string; fingerprint: string; expiresAt: string | null };
}
export interface TenantUsage {
  tenant: string;
  plan: string;
  windows: Array<{
    family: string;
    name: string;
    limit: number;
    windowSeconds: number;
    used: number;
    remaining: number;
    resetSeconds: number;
  }>;
  quotas: Array<{
    family?: string;
    name: string;
    limit: number;
    used: number;
    remaining: number;
    resetsAt: string | number;
  }>;
}
interface AuditPage {
  items: Array<{
    at: string;
    action: string;
    tenant: string | null;
    target: string | null;
    details: Record<string, unknown> | null;
  }>;
  nextCursor: string | null;
}

// --- Human output ----------------------------------------------------------------------------

/** Rows as left-aligned columns two spaces apart; the first row is the header. */
export function formatTable(rows: Array<Array<string | number>>): string[] {
  const cells = rows.map((row) => row.map(String));
  const widths = cells[0].map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  return cells.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column])))
      .join('  ')
      .trimEnd(),
  );
}

const duration = (seconds: number): string =>
  seconds % 86_400 === 0
    ? `${seconds / 86_400}d`
    : seconds % 3600 === 0
      ? `${seconds / 3600}h`
      : seconds % 60 === 0
        ? `${seconds / 60}m`
        : `${seconds}s`;
const when = (value: string | number | null | undefined): string =>
  value === null || value === undefined ? 'never' : typeof value === 'number' ? new Date(value).toISOString() : value;
const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;
const named = (t: Tenant): string => (t.displayName ? `${t.tenant} ("${t.displayName}")` : t.tenant);

export function formatCreated(created: CreatedTenant): string[] {
  const out = [`Created tenant ${named(created)}: ${created.status}, plan ${created.plan}.`];
  if (!created.key) {
    out.push(`No key minted: mint one with POST /ops/tenants/${created.tenant}/keys, or create with --mint.`);
    return out;
  }
  out.push(
    `Key ${created.key.id} (${created.key.fingerprint}, expires ${when(created.key.expiresAt)}):`,
    `  ${created.key.key}`,
    'This key is shown once and cannot be retrieved again: hand it to the customer now.',
  );
  return out;
}

export function formatTenantList(listing: { count: number; tenants: Array<Tenant & { keys: Key[] }> }): string[] {
  if (listing.count === 0) return ['No tenants.'];
  return [
    ...formatTable([
      ['TENANT', 'STATUS', 'PLAN', 'KEYS', 'DISPLAY NAME'],
      ...listing.tenants.map((t) => [t.tenant, t.status, t.plan, t.keys.length, t.displayName ?? '-']),
    ]),
    plural(listing.count, 'tenant'),
  ];
}

export function formatTenantDetail(detail: TenantDetail): string[] {
  const out = [`Tenant ${named(detail)}: ${detail.status}, plan ${detail.plan}`];
  if (detail.createdAt) out.push(`Created ${detail.createdAt}, updated ${detail.updatedAt ?? detail.createdAt}`);
  if (detail.keys.length === 0) out.push('Keys: none');
  else {
    out.push('Keys:');
    const rows = detail.keys.map((k) => [
      k.id,
      k.source,
      k.fingerprint,
      when(k.expiresAt),
      k.revokedAt ? `revoked, valid until ${k.revokedAt}` : when(k.lastUsedAt),
    ]);
    out.push(...formatTable([['ID', 'SOURCE', 'FINGERPRINT', 'EXPIRES', 'LAST USED'], ...rows]).map((l) => `  ${l}`));
  }
  out.push(`Limits${detail.overrides ? ' (plan with this tenant’s overrides)' : ''}:`);
  for (const [family, limits] of Object.entries(detail.limits)) {
    const windows = limits.windows.map((w) => `${w.limit} per ${duration(w.windowSeconds)} (${w.name})`);
    const quotas = limits.quotas.map((q) => `${q.name} ${q.limit}`);
    const routes = family === 'ops' ? '/ops/*' : family === 'default' ? '/v1/*' : family;
    out.push(`  ${routes}: ${[...windows, ...quotas].join(', ') || 'none'}`);
  }
  out.push(`Overrides: ${detail.overrides ? JSON.stringify(detail.overrides) : 'none'}`);
  return out;
}

export function formatUsage(usage: TenantUsage): string[] {
  const out = [`Usage of ${usage.tenant} (plan ${usage.plan}):`];
  if (usage.windows.length > 0) {
    out.push(
      ...formatTable([
        ['FAMILY', 'WINDOW', 'LIMIT', 'USED', 'REMAINING', 'RESETS IN'],
        ...usage.windows.map((w) => [
          w.family,
          `${w.name} (${duration(w.windowSeconds)})`,
          w.limit,
          w.used,
          w.remaining,
          `${w.resetSeconds}s`,
        ]),
      ]),
    );
  }
  if (usage.quotas.length === 0) out.push('No quotas on this plan.');
  else {
    out.push(
      ...formatTable([
        ['FAMILY', 'QUOTA', 'LIMIT', 'USED', 'REMAINING', 'RESETS AT'],
        ...usage.quotas.map((q) => [q.family ?? 'default', q.name, q.limit, q.used, q.remaining, when(q.resetsAt)]),
      ]),
    );
  }
  return out;
}

export function formatAudit(page: AuditPage): string[] {
  if (page.items.length === 0) return ['No audit events.'];
  const details = (d: Record<string, unknown> | null): string =>
    d && Object.keys(d).length > 0
      ? Object.entries(d)
          .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
          .join(' ')
      : '-';
  return [
    ...formatTable([
      ['AT', 'ACTION', 'TENANT', 'TARGET', 'DETAILS'],
      ...page.items.map((e) => [e.at, e.action, e.tenant ?? '-', e.target ?? '-', details(e.details)]),
    ]),
    ...(page.nextCursor ? [`More: GET /ops/audit?cursor=${page.nextCursor}`] : []),
  ];
}

// --- Running a command -----------------------------------------------------------------------

async function run(api: ApiClient, command: TenantsCommand, print: (line: string) => void): Promise<void> {
  const path = `/ops/tenants/${encodeURIComponent(command.tenant ?? '')}`;
  const lines = (out: string[]) => out.forEach((line) => print(line));
  switch (command.action) {
    case 'list':
      return lines(formatTenantList(await api.request('GET', '/ops/tenants')));
    case 'show':
      return lines(formatTenantDetail(await api.request('GET', path)));
    case 'create': {
      const body = {
        tenant: command.tenant,
        ...(command.plan !== undefined ? { plan: command.plan } : {}),
        ...(command.displayName !== undefined ? { displayName: command.displayName } : {}),
        ...(command.mint ? { mintKey: true } : {}),
      };
      return lines(formatCreated(await api.request('POST', '/ops/tenants', body)));
    }
    case 'plan': {
      const updated = await api.request<Tenant>('PATCH', path, { plan: command.plan });
      return print(`${updated.tenant} is now on plan ${updated.plan}; its limits apply from its next request.`);
    }
    case 'suspend': {
      const updated = await api.request<Tenant>('PATCH', path, { status: 'suspended' });
      return print(
        `Suspended ${updated.tenant} (status ${updated.status}): every key of it now gets 403 Tenant suspended.`,
      );
    }
    case 'resume': {
      const updated = await api.request<Tenant>('PATCH', path, { status: 'active' });
      return print(`Resumed ${updated.tenant} (status ${updated.status}, plan ${updated.plan}): its keys work again.`);
    }
    case 'usage':
      if (command.reset) {
        await api.request('DELETE', `${path}/usage`);
        return print(`Usage counters of ${command.tenant} reset: its windows and quotas start from zero.`);
      }
      return lines(formatUsage(await api.request('GET', `${path}/usage`)));
    case 'audit': {
      const query = new URLSearchParams({ limit: String(command.limit ?? 20) });
      if (command.tenant) query.set('tenant', command.tenant);
      return lines(formatAudit(await api.request('GET', `/ops/audit?${query}`)));
    }
    case 'erase': {
      const { tenant, erased } = await api.request<{ tenant: string; erased: Record<string, number> }>(
        'DELETE',
        `${path}?erase=true`,
      );
      return print(
        `Erased tenant ${tenant}: ${plural(erased.leads, 'lead')}, ${plural(erased.outcomes, 'outcome')}, ` +
          `${plural(erased.idempotencyKeys, 'Idempotency-Key')} and ${plural(erased.apiKeys, 'key')} deleted.`,
      );
    }
  }
}

export async function tenants(argv: string[], print: (line: string) => void): Promise<void> {
  const command = parseTenantsArgs(argv);
  if (command.action === 'help') {
    print(TENANTS_USAGE);
    return;
  }
  const env = readProcessEnvironment();
  const adminKey = env.API_ADMIN_KEY;
  if (!adminKey) throw new Error('API_ADMIN_KEY is not set: the tenants commands call the admin API with it');
  const api = new ApiClient(command.url ?? env.CUSTOMER_OPS_URL ?? 'http://localhost:8000', {
    'x-admin-key': adminKey,
  });
  await run(api, command, print);
}
