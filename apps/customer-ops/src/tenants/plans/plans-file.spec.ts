import { parseRateLimit } from '@app/config';
import type { PlanLimits } from '../../rate-limit/limits';
import {
  applyOverride,
  builtInDefaultPlan,
  parseLimitsOverride,
  parsePlansFile,
  PlanOverride,
  PlansFileError,
} from './plans-file';

const builtIn = builtInDefaultPlan(parseRateLimit('5/minute'), parseRateLimit('60/minute'));
const parse = (document: unknown) => parsePlansFile(JSON.stringify(document), builtIn);
const problemsOf = (document: unknown): string[] => {
  try {
    parse(document);
  } catch (error) {
    if (error instanceof PlansFileError) return error.problems;
    throw error;
  }
  throw new Error('expected a PlansFileError');
};
const windows = (...specs: Array<[number, string]>) => specs.map(([limit, window]) => ({ limit, window }));

describe('builtInDefaultPlan', () => {
  it('has one window per family from RATE_LIMIT_OPS / RATE_LIMIT_DEFAULT and no quotas', () => {
    expect(builtInDefaultPlan(parseRateLimit('5/minute'), parseRateLimit('10/second'))).toEqual({
      ops: { windows: [{ name: 'minute', limit: 5, windowSeconds: 60 }], quotas: [] },
      default: { windows: [{ name: 'burst', limit: 10, windowSeconds: 1 }], quotas: [] },
    });
  });
});

describe('parsePlansFile', () => {
  const file = {
    plans: {
      Pro: {
        default: { windows: windows([600, '1h'], [10, '1s']) },
        ops: { windows: windows([50, '1m']) },
      },
      metered: { default: { windows: windows([1000, '1m']), quotas: { leadsPerMonth: 5000, requestsPerDay: 20 } } },
    },
  };

  it('reads a good file: lower-case names, named windows shortest first, left-out families from default', () => {
    const plans = parse(file);
    expect([...plans.keys()].sort()).toEqual(['default', 'metered', 'pro']);
    expect(plans.get('default')).toEqual(builtIn);
    expect(plans.get('pro')).toEqual<PlanLimits>({
      default: {
        windows: [
          { name: 'burst', limit: 10, windowSeconds: 1 },
          { name: 'hour', limit: 600, windowSeconds: 3600 },
        ],
        quotas: [],
      },
      ops: { windows: [{ name: 'minute', limit: 50, windowSeconds: 60 }], quotas: [] },
    });
    expect(plans.get('metered')).toEqual<PlanLimits>({
      default: {
        windows: [{ name: 'minute', limit: 1000, windowSeconds: 60 }],
        quotas: [
          { name: 'requestsPerDay', limit: 20 },
          { name: 'leadsPerMonth', limit: 5000 },
        ],
      },
      ops: builtIn.ops,
    });
  });

  it('lets the file redefine default; other plans then fall back to that one', () => {
    const plans = parse({
      plans: {
        default: { default: { windows: windows([3, '1s'], [100, '1d']), quotas: { requestsPerMonth: 9 } } },
        lite: { ops: { windows: windows([1, '1m']) } },
      },
    });
    expect(plans.get('default')?.default.quotas).toEqual([{ name: 'requestsPerMonth', limit: 9 }]);
    expect(plans.get('default')?.ops).toEqual(builtIn.ops);
    expect(plans.get('lite')?.default).toEqual({ windows: plans.get('default')?.default.windows, quotas: [] });
  });

  it('accepts a file without plans', () => {
    expect([...parse({ plans: {} }).keys()]).toEqual(['default']);
  });

  it('reports invalid JSON with the parser message', () => {
    expect(() => parsePlansFile('{"plans": ', builtIn)).toThrow(PlansFileError);
    expect(() => parsePlansFile('{"plans": ', builtIn)).toThrow(/^not valid JSON: .+/);
  });

  it.each<[string, unknown, string]>([
    ['a non-object document', [], 'expected an object { "plans": { … } }, got []'],
    ['a missing plans key', {}, 'plans: required'],
    ['plans that are not an object', { plans: [1] }, 'plans: expected an object of plans, got [1]'],
    ['an unknown top-level key', { plans: {}, extra: 1 }, 'extra: unknown key (expected plans)'],
    [
      'a bad plan name',
      { plans: { 'pro plan': {} } },
      'plans["pro plan"]: not a plan name (1 to 64 of a-z, 0-9, _ and -)',
    ],
    ['a too long plan name', { plans: { ['p'.repeat(65)]: {} } }, `plans["${'p'.repeat(65)}"]: not a plan name`],
    [
      'two names differing only in case',
      { plans: { pro: {}, PRO: {} } },
      'plans.PRO: same name as plans.pro (plan names ignore case)',
    ],
    ['an unknown family', { plans: { pro: { admin: {} } } }, 'plans.pro.admin: unknown key (expected ops, default)'],
    ['a family that is not an object', { plans: { pro: { ops: 5 } } }, 'plans.pro.ops: expected an object, got 5'],
    ['a family without windows', { plans: { pro: { ops: {} } } }, 'plans.pro.ops.windows: required'],
    [
      'an unknown family key',
      { plans: { pro: { ops: { windows: windows([1, '1s']), burst: 1 } } } },
      'plans.pro.ops.burst: unknown key (expected windows, quotas)',
    ],
    [
      'no windows',
      { plans: { pro: { ops: { windows: [] } } } },
      'plans.pro.ops.windows: expected a list of 1 to 5 windows, got []',
    ],
    [
      'six windows',
      {
        plans: { pro: { ops: { windows: windows([1, '1s'], [2, '2s'], [3, '3s'], [4, '4s'], [5, '5s'], [6, '6s']) } } },
      },
      'plans.pro.ops.windows: expected a list of 1 to 5 windows',
    ],
    [
      'a bad duration',
      { plans: { pro: { default: { windows: windows([1, '1s'], [2, '10x']) } } } },
      'plans.pro.default.windows[1].window: "10x" is not a duration (1s, 10s, 1m, 1h, 1d, …)',
    ],
    [
      'a too long window',
      { plans: { pro: { default: { windows: windows([1, '32d']) } } } },
      'plans.pro.default.windows[0].window: "32d" is longer than 31d',
    ],
    [
      'a missing window length',
      { plans: { pro: { default: { windows: [{ limit: 1 }] } } } },
      'plans.pro.default.windows[0].window: required',
    ],
    [
      'two windows of the same length',
      { plans: { pro: { default: { windows: windows([1, '60s'], [2, '1m']) } } } },
      'plans.pro.default.windows[1].window: same length as plans.pro.default.windows[0]',
    ],
    [
      'a window with an unknown key',
      { plans: { pro: { default: { windows: [{ limit: 1, window: '1s', name: 'x' }] } } } },
      'plans.pro.default.windows[0].name: unknown key (expected limit, window)',
    ],
    [
      'a fractional limit',
      { plans: { pro: { default: { windows: windows([1.5, '1s']) } } } },
      'plans.pro.default.windows[0].limit: 1.5 is not an integer from 1 to 1000000000',
    ],
    [
      'a zero limit',
      { plans: { pro: { default: { windows: windows([0, '1s']) } } } },
      'plans.pro.default.windows[0].limit: 0 is not an integer',
    ],
    [
      'a too large limit',
      { plans: { pro: { default: { windows: windows([1_000_000_001, '1s']) } } } },
      'plans.pro.default.windows[0].limit: 1000000001 is not an integer',
    ],
    [
      'a string limit',
      { plans: { pro: { default: { windows: windows([1, '1s']), quotas: { requestsPerDay: '5' } } } } },
      'plans.pro.default.quotas.requestsPerDay: "5" is not an integer',
    ],
    [
      'an unknown quota',
      { plans: { pro: { default: { windows: windows([1, '1s']), quotas: { requestsPerHour: 5 } } } } },
      'plans.pro.default.quotas.requestsPerHour: unknown key (expected requestsPerDay, requestsPerMonth, leadsPerMonth)',
    ],
  ])('refuses %s', (_, document, message) => {
    const problems = problemsOf(document);
    expect(problems.some((problem) => problem.startsWith(message))).toBe(true);
    expect(() => parse(document)).toThrow(message);
  });

  it('lists every problem at once', () => {
    const problems = problemsOf({
      plans: { a: { ops: { windows: windows([0, '1s']) } }, b: { default: { windows: windows([1, 'x']) } } },
    });
    expect(problems).toEqual([
      'plans.a.ops.windows[0].limit: 0 is not an integer from 1 to 1000000000',
      'plans.b.default.windows[0].window: "x" is not a duration (1s, 10s, 1m, 1h, 1d, …)',
    ]);
  });
});

describe('tenant overrides', () => {
  const pro: PlanLimits = {
    default: {
      windows: [
        { name: 'burst', limit: 10, windowSeconds: 1 },
        { name: 'hour', limit: 600, windowSeconds: 3600 },
      ],
      quotas: [{ name: 'requestsPerMonth', limit: 100 }],
    },
    ops: { windows: [{ name: 'minute', limit: 50, windowSeconds: 60 }], quotas: [] },
  };
  const overrideOf = (value: unknown): PlanOverride => {
    const result = parseLimitsOverride(value);
    if ('problems' in result) throw new Error(result.problems.join('; '));
    return result.override;
  };

  it('accepts an empty override, which changes nothing', () => {
    expect(applyOverride(pro, overrideOf({}))).toEqual(pro);
  });

  it('replaces only the windows it names', () => {
    const result = applyOverride(pro, overrideOf({ default: { windows: windows([20, '1m']) } }));
    expect(result.default).toEqual({
      windows: [{ name: 'minute', limit: 20, windowSeconds: 60 }],
      quotas: pro.default.quotas,
    });
    expect(result.ops).toEqual(pro.ops);
  });

  it('replaces only the quotas it names; quotas {} means no quotas', () => {
    expect(applyOverride(pro, overrideOf({ default: { quotas: {} } })).default).toEqual({
      windows: pro.default.windows,
      quotas: [],
    });
    expect(applyOverride(pro, overrideOf({ ops: { quotas: { requestsPerDay: 7 } } })).ops).toEqual({
      windows: pro.ops.windows,
      quotas: [{ name: 'requestsPerDay', limit: 7 }],
    });
  });

  it.each<[unknown, string]>([
    [null, 'limits: expected an object, got null'],
    [[], 'limits: expected an object, got []'],
    [{ v1: {} }, 'limits.v1: unknown key (expected ops, default)'],
    [{ default: { windows: windows([1, '1w']) } }, 'limits.default.windows[0].window: "1w" is not a duration'],
    [{ ops: { quotas: { leadsPerMonth: -1 } } }, 'limits.ops.quotas.leadsPerMonth: -1 is not an integer'],
    [{ ops: { quotas: [] } }, 'limits.ops.quotas: expected an object, got []'],
  ])('refuses %j', (value, message) => {
    const result = parseLimitsOverride(value);
    expect('problems' in result && result.problems.some((problem) => problem.startsWith(message))).toBe(true);
  });
});
