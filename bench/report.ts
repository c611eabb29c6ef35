import { caseById, CASES, MEMORY_CASES } from './cases';
import { PGBENCH_SCRIPTS } from './pgbench';
import type { Results, RoundRecord } from './run';
import type { Platform } from './servers';
import { fmt, fmtSpread, median, Spread, spread, table } from './stats';

/*
 * The Markdown tables of a run (results.md, and the section of docs/BENCHMARKS.md): every
 * ratio is computed within the run, round by round where both sides ran in the same round.
 */

const PLATFORM_NAME: Record<Platform, string> = { express: 'express', fastify: 'Fastify' };
const MEMORY_GROWTH_LIMIT = 0.05;
/** How much the third in-memory limiter run may cost more per request than the first. */
const LIMITER_DRIFT_LIMIT = 0.25;

export interface Target {
  name: string;
  platform: Platform | null;
  pass: boolean;
  detail: string;
}

interface Analysis {
  platforms: Platform[];
  throughput: (platform: Platform, caseId: string) => RoundRecord[];
  rps: (platform: Platform, caseId: string) => Spread;
  cpu: (platform: Platform, caseId: string) => Spread;
  /** Per-round ratio of req/s, a / b, over the rounds both ran in. */
  ratio: (platform: Platform, a: string, b: string) => Spread;
  /** Per-round difference of CPU µs/request, a − b. */
  cpuAbove: (platform: Platform, a: string, b: string) => Spread;
  /** Per-round quotient of CPU µs/request, b / a (how many times cheaper a is). */
  cpuTimes: (platform: Platform, a: string, b: string) => Spread;
  pgbenchTps: (caseId: string) => Spread;
}

function analyse(results: Results): Analysis {
  const platforms = [...new Set(results.rounds.map((r) => r.platform))];
  const throughput = (platform: Platform, caseId: string) =>
    results.rounds.filter((r) => r.phase === 'throughput' && r.platform === platform && r.caseId === caseId);
  const paired = (platform: Platform, a: string, b: string, f: (x: RoundRecord, y: RoundRecord) => number) => {
    const bs = throughput(platform, b);
    return spread(
      throughput(platform, a).flatMap((x) => {
        const y = bs.find((r) => r.round === x.round);
        return y ? [f(x, y)] : [];
      }),
    );
  };
  return {
    platforms,
    throughput,
    rps: (p, id) => spread(throughput(p, id).map((r) => r.requestsPerSecond)),
    cpu: (p, id) => spread(throughput(p, id).map((r) => r.cpuMicrosPerRequest)),
    ratio: (p, a, b) => paired(p, a, b, (x, y) => x.requestsPerSecond / y.requestsPerSecond),
    cpuAbove: (p, a, b) => paired(p, a, b, (x, y) => x.cpuMicrosPerRequest - y.cpuMicrosPerRequest),
    cpuTimes: (p, a, b) => paired(p, a, b, (x, y) => y.cpuMicrosPerRequest / x.cpuMicrosPerRequest),
    pgbenchTps: (caseId) => spread(results.pgbench.filter((r) => r.caseId === caseId).map((r) => r.tps)),
  };
}

const has = (s: Spread) => s.n > 0 && Number.isFinite(s.median);

function throughputTable(a: Analysis, platform: Platform): string {
  const rows = CASES.filter((c) => a.throughput(platform, c.id).length > 0).map((c) => {
    const rounds = a.throughput(platform, c.id);
    const vsBare = c.id === 'bare' ? '1.00' : fmtSpread(a.ratio(platform, c.id, 'bare'), 2);
    const above = c.id === 'bare' ? '–' : fmtSpread(a.cpuAbove(platform, c.id, 'bare'));
    return [
      c.label,
      fmtSpread(a.rps(platform, c.id)),
      fmtSpread(a.cpu(platform, c.id)),
      fmt(median(rounds.map((r) => r.p99Ms)), 1),
      vsBare,
      above,
    ];
  });
  return table(['Case', 'req/s', 'server CPU µs/req', 'p99 ms', '× bare req/s', 'CPU µs/req above bare'], rows);
}

function ratioTable(a: Analysis): string {
  const cell = (f: (p: Platform) => Spread, digits = 2, unit = '') =>
    a.platforms.map((p) => {
      const s = f(p);
      return has(s) ? fmtSpread(s, digits, unit) : '–';
    });
  const pg = (caseId: string) => (p: Platform) => {
    const tps = a.pgbenchTps(caseId);
    const rps = a.rps(p, caseId);
    if (!has(tps) || !has(rps)) return spread([]);
    return spread([rps.median / tps.median]);
  };
  const rows: string[][] = [
    ['this API ÷ bare, req/s', ...cell((p) => a.ratio(p, 'api:model-status', 'bare'))],
    ['usual assembly ÷ bare, req/s', ...cell((p) => a.ratio(p, 'usual:model-status', 'bare'))],
    ['this API ÷ usual assembly, req/s', ...cell((p) => a.ratio(p, 'api:model-status', 'usual:model-status'))],
    [
      'usual assembly CPU ÷ this API CPU, per request',
      ...cell((p) => a.cpuTimes(p, 'api:model-status', 'usual:model-status'), 2, '×'),
    ],
    ['this API CPU above bare, µs/req', ...cell((p) => a.cpuAbove(p, 'api:model-status', 'bare'), 0)],
    ['usual assembly CPU above bare, µs/req', ...cell((p) => a.cpuAbove(p, 'usual:model-status', 'bare'), 0)],
    ['`POST /v1/leads` ÷ bare, req/s', ...cell((p) => a.ratio(p, 'api:capture', 'bare'))],
    ['`POST /v1/leads` + Idempotency-Key ÷ bare, req/s', ...cell((p) => a.ratio(p, 'api:capture-idempotent', 'bare'))],
    ['`GET /v1/leads?limit=20` ÷ bare, req/s', ...cell((p) => a.ratio(p, 'api:list', 'bare'))],
    ['`POST /v1/leads` ÷ pgbench of its statements', ...cell(pg('api:capture'))],
    ['`POST /v1/leads` + key ÷ pgbench of its statements', ...cell(pg('api:capture-idempotent'))],
    ['`GET /v1/leads?limit=20` ÷ pgbench of its statement', ...cell(pg('api:list'))],
  ];
  return table(['Ratio, same run (median of rounds, min–max)', ...a.platforms.map((p) => PLATFORM_NAME[p])], rows);
}

function pgbenchTable(results: Results, a: Analysis): string {
  const rows = PGBENCH_SCRIPTS.filter((s) => results.pgbench.some((r) => r.scriptId === s.id)).map((s) => {
    const runs = results.pgbench.filter((r) => r.scriptId === s.id);
    return [
      s.description,
      String(runs[0].statements),
      fmtSpread(spread(runs.map((r) => r.tps))),
      fmt(median(runs.map((r) => r.latencyMs)), 1),
      ...a.platforms.map((p) => (has(a.rps(p, s.caseId)) ? fmt(a.rps(p, s.caseId).median) : '–')),
    ];
  });
  return table(
    [
      'pgbench script (the API’s statements)',
      'statements',
      'tps',
      'latency ms',
      ...a.platforms.map((p) => `API req/s, ${PLATFORM_NAME[p]}`),
    ],
    rows,
  );
}

function fixedRateTable(results: Results, a: Analysis): string {
  const ids = [...new Set(results.fixedRate.map((f) => f.caseId))];
  const rows = ids.map((id) => {
    const label = id === 'api:search' ? '`GET /v1/leads/search?q=…` (search tenant)' : caseById(id).short;
    const offered = results.fixedRate.find((f) => f.caseId === id)?.offered ?? NaN;
    return [
      label,
      fmt(offered),
      ...a.platforms.map((p) => {
        const f = results.fixedRate.find((r) => r.caseId === id && r.platform === p);
        return f ? `${fmt(f.p99Ms, 0)} (p50 ${fmt(f.p50Ms, 0)}, ${fmt(f.achieved)} req/s served)` : '–';
      }),
    ];
  });
  return table(['Route', 'offered req/s', ...a.platforms.map((p) => `p99 ms, ${PLATFORM_NAME[p]}`)], rows);
}

function growth(values: number[]): number {
  return values.length >= 3 ? values[2] / values[1] - 1 : NaN;
}

function memoryTable(results: Results, a: Analysis): string {
  const rows: string[][] = [];
  for (const p of a.platforms) {
    for (const id of MEMORY_CASES) {
      const rounds = results.memory
        .filter((m) => m.platform === p && m.caseId === id)
        .sort((x, y) => x.round - y.round);
      if (rounds.length === 0) continue;
      const rss = rounds.map((m) => m.rssMiB);
      const heap = rounds.map((m) => m.heapUsedMiB);
      const flagged = growth(rss) > MEMORY_GROWTH_LIMIT || growth(heap) > MEMORY_GROWTH_LIMIT;
      rows.push([
        `${PLATFORM_NAME[p]} ${caseById(id).short}`,
        rss.map((v) => fmt(v, 1)).join(', '),
        heap.map((v) => fmt(v, 1)).join(', '),
        `${fmt(growth(rss) * 100, 1)} % / ${fmt(growth(heap) * 100, 1)} %`,
        flagged ? '**growth > 5 %**' : 'flat',
      ]);
    }
  }
  return table(
    ['Route', 'RSS MiB, rounds 1–3', 'heap used after GC MiB, rounds 1–3', 'round 2 → 3: RSS / heap', ''],
    rows,
    ['l', 'r', 'r', 'r', 'l'],
  );
}

function limiterTable(results: Results, a: Analysis): string {
  const rows = a.platforms.flatMap((p) => {
    const runs = results.rounds
      .filter((r) => r.phase === 'limiter' && r.platform === p)
      .sort((x, y) => x.round - y.round);
    if (runs.length === 0) return [];
    return [
      [
        PLATFORM_NAME[p],
        runs.map((r) => fmt(r.requestsPerSecond)).join(' → '),
        runs.map((r) => fmt(r.cpuMicrosPerRequest)).join(' → '),
        runs.map((r) => fmt(r.p99Ms, 0)).join(' → '),
      ],
    ];
  });
  return table(['Platform', 'req/s, runs 1 → 3', 'server CPU µs/req', 'p99 ms'], rows);
}

export function targets(results: Results): Target[] {
  const a = analyse(results);
  const list: Target[] = [];
  const add = (
    name: string,
    platform: Platform | null,
    value: Spread | number,
    pass: (v: number) => boolean,
    detail: string,
  ) => {
    const v = typeof value === 'number' ? value : value.median;
    if (!Number.isFinite(v)) return;
    list.push({ name, platform, pass: pass(v), detail });
  };
  for (const p of a.platforms) {
    const above = a.cpuAbove(p, 'api:model-status', 'bare');
    add('`GET /ops/model-status` CPU above bare ≤ 50 µs/req', p, above, (v) => v <= 50, `${fmt(above.median)} µs/req`);
    const times = a.cpuTimes(p, 'api:model-status', 'usual:model-status');
    add('≥ 2× the usual assembly (CPU per request)', p, times, (v) => v >= 2, `${fmt(times.median, 2)}×`);
    for (const id of ['api:capture', 'api:list']) {
      const r = a.ratio(p, id, 'bare');
      add(`${caseById(id).short} ≥ 0.5× bare req/s`, p, r, (v) => v >= 0.5, fmt(r.median, 2));
    }
    for (const f of results.fixedRate.filter((x) => x.platform === p)) {
      const label = f.caseId === 'api:search' ? '`GET /v1/leads/search`' : caseById(f.caseId).short;
      add(`${label}: p99 < 50 ms at ${fmt(f.offered)} req/s`, p, f.p99Ms, (v) => v < 50, `${fmt(f.p99Ms)} ms`);
    }
    for (const id of MEMORY_CASES) {
      const heap = results.memory
        .filter((m) => m.platform === p && m.caseId === id)
        .sort((x, y) => x.round - y.round)
        .map((m) => m.heapUsedMiB);
      const g = growth(heap);
      add(
        `${caseById(id).short}: heap after GC grows ≤ 5 % from round 2 to 3`,
        p,
        g,
        (v) => v <= MEMORY_GROWTH_LIMIT,
        `${fmt(g * 100, 1)} %`,
      );
    }
    const limiter = results.rounds
      .filter((r) => r.phase === 'limiter' && r.platform === p)
      .sort((x, y) => x.round - y.round);
    if (limiter.length === 3) {
      const drift = limiter[2].cpuMicrosPerRequest / limiter[0].cpuMicrosPerRequest - 1;
      add(
        `in-memory limiter: third run's CPU/request within ${LIMITER_DRIFT_LIMIT * 100} % of the first`,
        p,
        drift,
        (v) => v <= LIMITER_DRIFT_LIMIT,
        `${fmt(limiter[0].cpuMicrosPerRequest)} → ${fmt(limiter[2].cpuMicrosPerRequest)} µs/req`,
      );
    }
  }
  return list;
}

export function renderMarkdown(results: Results): string {
  const a = analyse(results);
  const s = results.settings;
  const out: string[] = [];
  out.push(`# Benchmark run ${results.date.slice(0, 16).replace('T', ' ')} UTC (${results.label})`, '');
  if (results.smoke) out.push('**Smoke run: the numbers are not meaningful; it only proves the tool works.**', '');
  out.push(
    `Machine: ${results.machine.cpus} CPUs (${results.machine.cpuModel}), ${results.machine.memoryGiB} GiB, Node.js ${results.machine.node}; ` +
      `${results.machine.pinning}; load average at start ${results.machine.loadAverageAtStart}; ` +
      `${results.machine.wrk}; ${results.machine.pgbench}.`,
    `Settings: ${s.rounds} round${s.rounds === 1 ? '' : 's'} of ${s.durationSeconds} s per case (after ${s.warmupSeconds} s of warm-up), ` +
      `${s.connections} connections, plan ${s.plan}, ${fmt(s.searchLeads)} leads on the search tenant, ` +
      `${fmt(s.memoryRequests)} requests per memory round, ${s.limiterSeconds} s per limiter run, ` +
      `${s.pgbenchClients} pgbench clients.`,
    '',
  );
  for (const p of a.platforms) {
    if (!CASES.some((c) => a.throughput(p, c.id).length > 0)) continue;
    out.push(
      `## ${PLATFORM_NAME[p]}: throughput and server CPU (median of rounds, min–max)`,
      '',
      throughputTable(a, p),
      '',
    );
  }
  if (results.rounds.some((r) => r.phase === 'throughput') || results.pgbench.length > 0) {
    out.push('## Ratios', '', ratioTable(a), '');
  }
  if (results.pgbench.length > 0) out.push('## pgbench: the lead routes’ statements', '', pgbenchTable(results, a), '');
  if (results.fixedRate.length > 0)
    out.push('## Latency at a fixed offered rate (autocannon)', '', fixedRateTable(results, a), '');
  if (results.memory.length > 0) {
    out.push('## Memory: three rounds per route, after a forced GC', '', memoryTable(results, a), '');
  }
  if (results.rounds.some((r) => r.phase === 'limiter')) {
    out.push(
      '## In-memory limiter: three consecutive runs, budget 100,000,000/minute',
      '',
      limiterTable(results, a),
      '',
    );
  }
  const profiled = results.rounds.filter((r) => r.phase === 'cpu-profile');
  if (profiled.length > 0) {
    out.push(
      '## CPU profiles',
      '',
      ...profiled.map(
        (r, i) =>
          `- \`${results.cpuProfiles[i] ?? '?'}\`: ${r.platform} ${r.caseId}, ${fmt(r.requestsPerSecond)} req/s, ${fmt(r.cpuMicrosPerRequest)} µs/req while profiled`,
      ),
      '',
    );
  }
  const t = results.smoke ? [] : targets(results);
  if (t.length > 0) {
    out.push(
      '## Targets',
      '',
      table(
        ['Target', 'Platform', 'Result', ''],
        t.map((x) => [x.name, x.platform ? PLATFORM_NAME[x.platform] : '–', x.detail, x.pass ? 'met' : '**not met**']),
        ['l', 'l', 'r', 'l'],
      ),
      '',
    );
  }
  const errors = results.rounds.filter((r) => Object.values(r.errors).some((n) => n > 0));
  const fixedErrors = results.fixedRate.filter((f) => f.non2xx > 0 || f.errors > 0);
  if (errors.length > 0 || fixedErrors.length > 0) {
    out.push(
      '## Errors',
      '',
      ...errors.map(
        (r) =>
          `- ${r.platform} ${r.caseId} (${r.phase} round ${r.round}): ${Object.entries(r.errors)
            .filter(([, n]) => n > 0)
            .map(([k, n]) => `${n} ${k}`)
            .join(', ')}`,
      ),
      ...fixedErrors.map((f) => `- ${f.platform} ${f.caseId} (fixed rate): ${f.non2xx} non-2xx, ${f.errors} errors`),
      '',
    );
  }
  for (const note of results.notes) out.push(`- ${note}`);
  return `${out.join('\n').trimEnd()}\n`;
}
