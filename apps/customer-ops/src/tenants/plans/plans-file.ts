import type { RateLimit } from '@app/config';
import {
  FamilyLimits,
  MAX_WINDOW_SECONDS,
  namedWindows,
  parseWindowDuration,
  PlanLimits,
  QUOTA_NAMES,
  QuotaLimit,
  QuotaName,
  ROUTE_FAMILIES,
  RouteFamily,
  WindowLimit,
} from '../../rate-limit/limits';

/** A plan's or a tenant's partial limits: per family, only the parts it names replace the base. */
export interface FamilyOverride {
  windows?: WindowLimit[];
  quotas?: QuotaLimit[];
}
export type PlanOverride = Partial<Record<RouteFamily, FamilyOverride>>;

export class PlansFileError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'PlansFileError';
  }
}

export const DEFAULT_PLAN = 'default';
export const MAX_WINDOWS_PER_FAMILY = 5;
export const MAX_LIMIT = 1_000_000_000;
const PLAN_NAME = /^[a-z0-9_-]{1,64}$/i;

type Fields = Record<string, unknown>;
type Problems = string[];

const isFields = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const show = (value: unknown): string => JSON.stringify(value) ?? String(value);

function fields(value: unknown, path: string, allowed: readonly string[], problems: Problems): Fields | null {
  if (!isFields(value)) {
    problems.push(`${path}: expected an object, got ${show(value)}`);
    return null;
  }
  for (const key of Object.keys(value).filter((key) => !allowed.includes(key))) {
    problems.push(`${path}.${key}: unknown key (expected ${allowed.join(', ')})`);
  }
  return value;
}

const required = (value: unknown, path: string, problems: Problems): boolean => {
  if (value === undefined) problems.push(`${path}: required`);
  return value !== undefined;
};

function limitOf(value: unknown, path: string, problems: Problems): number | null {
  if (!required(value, path, problems)) return null;
  if (Number.isInteger(value) && (value as number) >= 1 && (value as number) <= MAX_LIMIT) return value as number;
  problems.push(`${path}: ${show(value)} is not an integer from 1 to ${MAX_LIMIT}`);
  return null;
}

function durationOf(value: unknown, path: string, problems: Problems): number | null {
  if (!required(value, path, problems)) return null;
  const seconds = typeof value === 'string' ? parseWindowDuration(value) : null;
  if (seconds !== null) return seconds;
  if (typeof value === 'string' && /^[1-9]\d*[smhd]$/.test(value)) {
    problems.push(`${path}: "${value}" is longer than ${MAX_WINDOW_SECONDS / 86_400}d`);
  } else {
    problems.push(`${path}: ${show(value)} is not a duration (1s, 10s, 1m, 1h, 1d, …)`);
  }
  return null;
}

function windowsOf(value: unknown, path: string, problems: Problems): WindowLimit[] | null {
  if (!Array.isArray(value) || value.length < 1 || value.length > MAX_WINDOWS_PER_FAMILY) {
    problems.push(`${path}: expected a list of 1 to ${MAX_WINDOWS_PER_FAMILY} windows, got ${show(value)}`);
    return null;
  }
  const before = problems.length;
  const seen = new Map<number, number>();
  const windows = value.map((item, i) => {
    const at = `${path}[${i}]`;
    const window = fields(item, at, ['limit', 'window'], problems);
    if (!window) return null;
    const limit = limitOf(window.limit, `${at}.limit`, problems);
    const windowSeconds = durationOf(window.window, `${at}.window`, problems);
    if (windowSeconds !== null && seen.has(windowSeconds)) {
      problems.push(`${at}.window: same length as ${path}[${seen.get(windowSeconds)}]`);
    } else if (windowSeconds !== null) seen.set(windowSeconds, i);
    return limit !== null && windowSeconds !== null ? { limit, windowSeconds } : null;
  });
  return problems.length === before ? namedWindows(windows.filter((window) => window !== null)) : null;
}

function quotasOf(value: unknown, path: string, problems: Problems): QuotaLimit[] | null {
  const quotas = fields(value, path, QUOTA_NAMES, problems);
  if (!quotas) return null;
  const before = problems.length;
  const result = QUOTA_NAMES.filter((name) => name in quotas).map((name: QuotaName) => ({
    name,
    limit: limitOf(quotas[name], `${path}.${name}`, problems) ?? 0,
  }));
  return problems.length === before ? result : null;
}

function familyOf(value: unknown, path: string, problems: Problems, windowsRequired: boolean): FamilyOverride {
  const family = fields(value, path, ['windows', 'quotas'], problems);
  const result: FamilyOverride = {};
  if (!family) return result;
  if ('windows' in family) result.windows = windowsOf(family.windows, `${path}.windows`, problems) ?? [];
  else if (windowsRequired) problems.push(`${path}.windows: required`);
  if ('quotas' in family) result.quotas = quotasOf(family.quotas, `${path}.quotas`, problems) ?? [];
  return result;
}

function planOf(value: unknown, path: string, problems: Problems, windowsRequired: boolean): PlanOverride {
  const plan = fields(value, path, ROUTE_FAMILIES, problems);
  const result: PlanOverride = {};
  for (const family of ROUTE_FAMILIES) {
    if (plan && family in plan) result[family] = familyOf(plan[family], `${path}.${family}`, problems, windowsRequired);
  }
  return result;
}

/** A plan from the file: a family it leaves out takes the base plan's windows and no quotas. */
function completePlan(plan: PlanOverride, base: PlanLimits): PlanLimits {
  const family = (name: RouteFamily): FamilyLimits => ({
    windows: plan[name]?.windows ?? base[name].windows,
    quotas: plan[name]?.quotas ?? [],
  });
  return { ops: family('ops'), default: family('default') };
}

/** The plan every tenant has without a plans file: RATE_LIMIT_OPS and RATE_LIMIT_DEFAULT, no quotas. */
export function builtInDefaultPlan(ops: RateLimit, v1: RateLimit): PlanLimits {
  const family = (rate: RateLimit): FamilyLimits => ({
    windows: namedWindows([{ limit: rate.limit, windowSeconds: Math.max(1, Math.round(rate.ttlMs / 1000)) }]),
    quotas: [],
  });
  return { ops: family(ops), default: family(v1) };
}

/** `{ "plans": { "<name>": { "default"?: family, "ops"?: family } } }` → plans by lower-case name, `default` always included. */
export function parsePlansFile(text: string, defaultPlan: PlanLimits): Map<string, PlanLimits> {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new PlansFileError([`not valid JSON: ${(error as Error).message}`]);
  }
  const problems: Problems = [];
  const root = isFields(document) ? document : null;
  if (!root) problems.push(`expected an object { "plans": { … } }, got ${show(document)}`);
  else if (!('plans' in root)) problems.push('plans: required');
  else if (!isFields(root.plans)) problems.push(`plans: expected an object of plans, got ${show(root.plans)}`);
  for (const key of Object.keys(root ?? {}).filter((key) => key !== 'plans')) {
    problems.push(`${key}: unknown key (expected plans)`);
  }
  const plans = root && isFields(root.plans) ? root.plans : {};

  const parsed = new Map<string, PlanOverride>();
  const spelled = new Map<string, string>();
  for (const [name, value] of Object.entries(plans)) {
    if (!PLAN_NAME.test(name)) {
      problems.push(`plans[${show(name)}]: not a plan name (1 to 64 of a-z, 0-9, _ and -)`);
      continue;
    }
    const key = name.toLowerCase();
    if (spelled.has(key)) {
      problems.push(`plans.${name}: same name as plans.${spelled.get(key)} (plan names ignore case)`);
      continue;
    }
    spelled.set(key, name);
    parsed.set(key, planOf(value, `plans.${name}`, problems, true));
  }
  if (problems.length > 0) throw new PlansFileError(problems);

  const fileDefault = parsed.get(DEFAULT_PLAN);
  const base = fileDefault ? completePlan(fileDefault, defaultPlan) : defaultPlan;
  const result = new Map<string, PlanLimits>([[DEFAULT_PLAN, base]]);
  for (const [name, plan] of parsed) if (name !== DEFAULT_PLAN) result.set(name, completePlan(plan, base));
  return result;
}

/** A tenant's `limits` override: the shape of one plan, every part optional. */
export function parseLimitsOverride(value: unknown): { override: PlanOverride } | { problems: string[] } {
  const problems: Problems = [];
  const override = planOf(value, 'limits', problems, false);
  return problems.length > 0 ? { problems } : { override };
}

/** Per family, replaces only the `windows` or `quotas` the override names (`quotas: {}` = no quotas). */
export function applyOverride(plan: PlanLimits, override: PlanOverride): PlanLimits {
  const family = (name: RouteFamily): FamilyLimits => ({
    windows: override[name]?.windows ?? plan[name].windows,
    quotas: override[name]?.quotas ?? plan[name].quotas,
  });
  return { ops: family('ops'), default: family('default') };
}
