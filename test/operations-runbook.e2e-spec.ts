import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './support/api-process';
import { ADMIN_KEY, randomKey } from './support/keys';
import { captureAndBook } from './support/leads';
import { parsePrometheus } from './support/prometheus';
import { missingFromScrape } from './support/promql';
import {
  apiPaths,
  cliCallsWithoutUrl,
  describeBlock,
  DOCUMENTED_URL,
  FencedBlock,
  notRunReason,
  operatorCommands,
  powershellCounterpart,
  readRunbook,
  rewriteBaseUrl,
  runBash,
  targetsApi,
} from './support/runbook';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';

/*
 * docs/OPERATIONS.md is executable: this suite runs its bash blocks against a live API, so the
 * runbook cannot drift from the code.
 *
 * Which blocks run:
 *  - a ```bash block runs when it targets the API: it names http://localhost:8000, calls
 *    scripts/rotate-keys.sh, scripts/tenants.sh or scripts/verify_production_ready.sh, or runs
 *    `npm run rotate-keys|tenants|verify|seed:demo`;
 *  - every other bash block must start with a `# not run: <reason>` line (it needs Docker, a
 *    registry or GitHub, or it would change the checkout), and a block that targets the API
 *    may not carry that line. So every block is classified explicitly, and a new command
 *    cannot silently escape the run.
 *
 * How they run:
 *  - in document order, each with `bash -euo pipefail -c` from the repository root, with an
 *    environment holding only PATH, HOME and the variables the runbook tells the operator to
 *    set (API_ADMIN_KEY, API_KEY_EXPERTCO, KEY_ID, DATABASE_URL for seed:demo, and
 *    API_KEY_ACME once the onboarding block has minted it: an expectation may remember a value
 *    a block printed for the blocks after it) plus API_KEYS_FILE, the keys file the live API
 *    reads, so rotate-keys edits the right file;
 *  - http://localhost:8000 is rewritten to the test app's URL (a free loopback port), and a
 *    CLI call without `--url` is refused statically, because the CLIs would then call port
 *    8000 of this machine;
 *  - each block gets its own app, with production-like settings (keys required, host and CORS
 *    allow-lists, rate limiting on with the default budgets, config/plans.example.json as the
 *    plans file, as the runbook tells the operator to start) over one shared database and keys
 *    file: state carries from block to block as it does for an operator, while the per-minute
 *    budgets start fresh as they do for an operator who waits a minute between steps. The
 *    runbook's admin calls per block stay within the admin's 5 per minute;
 *  - a block must exit 0, must not print an error envelope (`"statusCode": 4xx/5xx`) unless its
 *    expectation says so, must never print a key (the onboarding block prints the key it mints,
 *    once; no later block may), and must print what the runbook says it does
 *    (EXPECTATIONS below; each must match exactly one block that runs).
 *
 * PowerShell is not available here, so its blocks are not run. Instead every bash block must be
 * followed directly by its PowerShell form, which must call the same API paths and operator
 * scripts. The ```promql blocks are checked against the metric names and labels the app
 * exports.
 */

const runbook = readRunbook();
const bashBlocks = runbook.filter((block) => block.lang === 'bash');
const blocksToRun = bashBlocks.filter((block) => notRunReason(block) === null);
const promqlBlocks = runbook.filter((block) => block.lang === 'promql');
const MIN_BLOCKS_RUN = 15;

const tenantKey = randomKey('expertco');

interface Expectation {
  name: string;
  /** Picks the block, on its text as written in the runbook. */
  block: RegExp;
  /** The block shows an error answer on purpose. */
  showsError?: boolean;
  check(stdout: string, context: RunContext): void;
}

interface RunContext {
  keyId: string;
  /** Passes a value the block printed to the blocks after it, as a shell variable; it is a secret from then on. */
  remember(name: string, value: string): void;
}

const json = (text: string): Record<string, unknown> => JSON.parse(text.trim()) as Record<string, unknown>;
const lines = (text: string): string[] => text.trim().split('\n');
/** Output lines without the two header lines `npm run` prints before a script. */
const cliLines = (text: string): string[] => lines(text).filter((line) => !line.startsWith('> ') && line !== '');
const firstOfNextMonth = (): string => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString();
};

const EXPECTATIONS: Expectation[] = [
  {
    name: 'quick checks',
    block: /\/readyz; echo\n.*\/metrics \|/,
    check(out) {
      const [health, ready] = lines(out);
      expect(json(health)).toMatchObject({ status: 'ok', checks: { database: 'up', redis: 'disabled' } });
      expect(json(ready)).toMatchObject({ status: 'ready' });
      expect(out).toMatch(/^api_tenants_count \d+$/m);
      expect(out).toMatch(/^rate_limit_backend_up 1$/m);
      expect(out).toMatch(/^http_requests_total\{method="GET",endpoint="\/health",status="200"\} \d+$/m);
    },
  },
  {
    name: 'rotate-keys --add, then the new key works',
    block: /--add NEWCO:NEWKEY123/,
    check(out) {
      expect(out).toMatch(/Keys file .*: 1 added, 0 removed/);
      expect(out).toMatch(/^Tenants before: .*OLDCO \(1 key\)/m);
      expect(out).not.toMatch(/^Tenants before: .*NEWCO/m);
      expect(out).toMatch(/^Tenants after: .*NEWCO \(1 key\)/m);
      expect(json(lines(out).at(-1) as string)).toMatchObject({ tenant: 'NEWCO', loaded: false });
    },
  },
  {
    name: 'rotate-keys --remove, then the old key is refused',
    block: /--remove OLDKEY1/,
    showsError: true,
    check(out) {
      expect(out).toMatch(/Keys file .*: 0 added, 1 removed/);
      expect(out).toMatch(/^Tenants before: .*OLDCO/m);
      expect(out).not.toMatch(/^Tenants after: .*OLDCO/m);
      expect(json(lines(out).at(-1) as string)).toMatchObject({
        statusCode: 401,
        message: 'Invalid or missing API key',
      });
    },
  },
  {
    name: 'reload',
    block: /^curl -s -X POST http:\/\/localhost:8000\/ops\/reload-auth /m,
    check(out) {
      // default, and pro and metered from config/plans.example.json.
      expect(json(out)).toEqual({ ok: true, keys: expect.any(Number), tenants: expect.any(Number), plans: 3 });
    },
  },
  {
    name: 'tenant listing',
    block: /^curl -s http:\/\/localhost:8000\/ops\/tenants -H "x-admin-key: \$API_ADMIN_KEY"; echo$/m,
    check(out) {
      const listing = json(out) as {
        count: number;
        tenants: Array<{ tenant: string; keys: Array<{ source: string }> }>;
      };
      expect(listing.tenants.map((t) => t.tenant)).toEqual(expect.arrayContaining(['EXPERTCO', 'NEWCO']));
      // A tenant whose last key was removed stays a tenant (its data is kept), with no keys.
      expect(listing.tenants.find((t) => t.tenant === 'OLDCO')?.keys ?? []).toEqual([]);
      expect(listing.tenants.find((t) => t.tenant === 'NEWCO')?.keys.map((k) => k.source)).toEqual(['file']);
    },
  },
  {
    name: 'fingerprint of a key, found in the listing',
    block: /sha256sum/,
    check(out) {
      const [fingerprint, ...entries] = lines(out);
      expect(fingerprint).toMatch(/^[0-9a-f]{8}$/);
      expect(entries).toContainEqual(expect.stringMatching(new RegExp(`^EXPERTCO sha256:${fingerprint} env \\S+$`)));
      expect(entries).toContainEqual(expect.stringMatching(/^NEWCO sha256:[0-9a-f]{8} file \S+$/));
    },
  },
  {
    name: 'mint',
    block: /-X POST http:\/\/localhost:8000\/ops\/tenants\/EXPERTCO\/keys/,
    check(out) {
      expect(json(out)).toMatchObject({
        tenant: 'EXPERTCO',
        key: expect.stringMatching(/^co_live_/),
        fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{8}$/),
        expiresAt: expect.any(String),
      });
      const days = (Date.parse(json(out).expiresAt as string) - Date.now()) / 86_400_000;
      expect(Math.round(days)).toBe(90);
    },
  },
  {
    name: 'revoke with a grace period',
    block: /-X DELETE .*graceSeconds=300/,
    check(out, { keyId }) {
      const revoked = json(out) as { id: string; revokedAt: string };
      expect(revoked.id).toBe(keyId);
      expect(Math.round((Date.parse(revoked.revokedAt) - Date.now()) / 60_000)).toBe(5);
    },
  },
  {
    name: 'onboard a customer over HTTP, minting its key',
    block: /"mintKey": true/,
    check(out, { remember }) {
      const created = json(out) as { key: { key: string } };
      expect(created).toEqual({
        tenant: 'ACME',
        status: 'active',
        plan: 'pro',
        displayName: 'Acme Roofing',
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        key: {
          id: expect.any(String),
          key: expect.stringMatching(/^co_live_/),
          fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{8}$/),
          expiresAt: null,
        },
      });
      // The runbook tells the operator to keep it as API_KEY_ACME for the steps that follow.
      remember('API_KEY_ACME', created.key.key);
    },
  },
  {
    name: 'onboard a customer with the CLI, then the list of tenants',
    block: /tenants -- create GLOBEX/,
    check(out) {
      const printed = cliLines(out);
      expect(printed.slice(0, 4)).toEqual([
        'Created tenant GLOBEX ("Globex Supply"): active, plan metered.',
        expect.stringMatching(/^Key \S+ \(sha256:[0-9a-f]{8}, expires never\):$/),
        expect.stringMatching(/^ {2}co_live_\S+$/),
        'This key is shown once and cannot be retrieved again: hand it to the customer now.',
      ]);
      expect(printed).toContainEqual(expect.stringMatching(/^TENANT +STATUS +PLAN +KEYS +DISPLAY NAME$/));
      expect(printed).toContainEqual(expect.stringMatching(/^ACME +active +pro +1 +Acme Roofing$/));
      expect(printed).toContainEqual(expect.stringMatching(/^GLOBEX +active +metered +1 +Globex Supply$/));
      expect(printed).toContainEqual(expect.stringMatching(/^EXPERTCO +active +default +\d+ +-$/));
    },
  },
  {
    name: 'change the plan over HTTP',
    block: /-d '\{"plan": "metered"\}'/,
    check(out) {
      expect(json(out)).toMatchObject({ tenant: 'ACME', status: 'active', plan: 'metered' });
    },
  },
  {
    name: 'change the plan with the CLI, then show the tenant',
    block: /tenants -- plan ACME metered/,
    check(out) {
      const printed = cliLines(out);
      expect(printed[0]).toBe('ACME is now on plan metered; its limits apply from its next request.');
      expect(printed).toContain('Tenant ACME ("Acme Roofing"): active, plan metered');
      expect(printed).toContainEqual(expect.stringMatching(/^ {2}\S+ +db +sha256:[0-9a-f]{8} +never +\S+$/));
      // metered sets /v1/* only; /ops/* keeps the default plan's RATE_LIMIT_OPS.
      expect(printed).toContain('  /v1/*: 1000 per 1m (minute), leadsPerMonth 5000');
      expect(printed).toContain('  /ops/*: 5 per 1m (minute)');
      expect(printed).toContain('Overrides: none');
    },
  },
  {
    name: 'override one tenant’s quota, then its effective limits',
    block: /"leadsPerMonth": 20000/,
    check(out) {
      const [updated, limits, overrides] = lines(out);
      expect(json(updated)).toMatchObject({ tenant: 'ACME', plan: 'metered' });
      expect(json(limits)).toEqual({
        windows: [{ name: 'minute', limit: 1000, windowSeconds: 60 }],
        quotas: [{ name: 'leadsPerMonth', limit: 20000 }],
      });
      expect(overrides).toContain('20000');
    },
  },
  {
    name: 'usage over HTTP after one call as the customer, then a reset',
    block: /-X DELETE http:\/\/localhost:8000\/ops\/tenants\/ACME\/usage/,
    check(out) {
      const [status, usage, reset] = lines(out);
      expect(status).toBe('200');
      expect(json(usage)).toEqual({
        tenant: 'ACME',
        plan: 'metered',
        windows: expect.arrayContaining([
          expect.objectContaining({ family: 'default', name: 'minute', limit: 1000, used: 1, remaining: 999 }),
          expect.objectContaining({ family: 'ops', name: 'minute', limit: 5, used: 0, remaining: 5 }),
        ]),
        quotas: [
          {
            family: 'default',
            name: 'leadsPerMonth',
            limit: 20000,
            used: 0,
            remaining: 20000,
            resetsAt: firstOfNextMonth(),
          },
        ],
      });
      expect(json(reset)).toEqual({ tenant: 'ACME', reset: true });
    },
  },
  {
    name: 'usage with the CLI, then a reset',
    block: /tenants -- usage ACME --url/,
    check(out) {
      const printed = cliLines(out);
      expect(printed[0]).toBe('Usage of ACME (plan metered):');
      expect(printed).toContainEqual(expect.stringMatching(/^FAMILY +WINDOW +LIMIT +USED +REMAINING +RESETS IN$/));
      expect(printed).toContainEqual(expect.stringMatching(/^default +minute \(1m\) +1000 +0 +1000 +\d+s$/));
      expect(printed).toContainEqual(expect.stringMatching(/^ops +minute \(1m\) +5 +0 +5 +\d+s$/));
      expect(printed).toContainEqual(expect.stringMatching(/^FAMILY +QUOTA +LIMIT +USED +REMAINING +RESETS AT$/));
      expect(printed).toContain(`default  leadsPerMonth  20000  0     20000      ${firstOfNextMonth()}`);
      expect(printed.at(-1)).toBe('Usage counters of ACME reset: its windows and quotas start from zero.');
    },
  },
  {
    name: 'suspend over HTTP, then the tenant’s key is refused',
    block: /"status": "suspended"/,
    showsError: true,
    check(out) {
      const [updated, refused] = lines(out).map(json);
      expect(updated).toMatchObject({ tenant: 'ACME', status: 'suspended' });
      expect(refused).toMatchObject({ statusCode: 403, error: 'Forbidden', message: 'Tenant suspended' });
    },
  },
  {
    name: 'resume over HTTP, then the tenant’s key works',
    block: /"status": "active"/,
    check(out) {
      const [updated, status] = lines(out);
      expect(json(updated)).toMatchObject({ tenant: 'ACME', status: 'active' });
      expect(status).toBe('200');
    },
  },
  {
    name: 'suspend and resume with the CLI',
    block: /tenants -- suspend ACME/,
    check(out) {
      expect(cliLines(out)).toEqual([
        'Suspended ACME (status suspended): every key of it now gets 403 Tenant suspended.',
        'Resumed ACME (status active, plan metered): its keys work again.',
      ]);
    },
  },
  {
    name: 'the audit trail of the tenant over HTTP, newest first',
    block: /\/ops\/audit\?tenant=ACME/,
    check(out) {
      const events = lines(out).map((line) => /^(\S+) (\S+) (\{.*\})$/.exec(line));
      expect(events.every((event) => event && !Number.isNaN(Date.parse(event[1])))).toBe(true);
      // Every change the steps above made to ACME, over HTTP and with the CLI.
      expect(events.map((event) => event?.[2])).toEqual([
        'tenant.resume',
        'tenant.suspend',
        'tenant.resume',
        'tenant.suspend',
        'usage.reset',
        'usage.reset',
        'tenant.update',
        'tenant.update',
        'tenant.update',
        'tenant.create',
      ]);
      const details = events.map((event) => JSON.parse(event?.[3] ?? '{}') as Record<string, unknown>);
      expect(details.at(-1)).toMatchObject({ plan: 'pro', mintedKey: true });
      expect(details.at(-2)).toMatchObject({ oldPlan: 'pro', newPlan: 'metered' });
      expect(details[0]).toMatchObject({ oldStatus: 'suspended', newStatus: 'active' });
    },
  },
  {
    name: 'the audit trail with the CLI',
    block: /tenants -- audit ACME/,
    check(out) {
      const printed = cliLines(out);
      expect(printed[0]).toMatch(/^AT +ACTION +TENANT +TARGET +DETAILS$/);
      expect(printed[1]).toMatch(/^\S+ +tenant\.resume +ACME +- +oldStatus=suspended newStatus=active$/);
      expect(printed.at(-1)).toMatch(/^\S+ +tenant\.create +ACME +\S+ +plan=pro mintedKey=true$/);
      expect(printed).toHaveLength(11);
    },
  },
  {
    name: 'offboard over HTTP',
    block: /GLOBEX\?erase=true/,
    check(out) {
      expect(json(out)).toEqual({
        tenant: 'GLOBEX',
        erased: { leads: 0, outcomes: 0, idempotencyKeys: 0, apiKeys: 1 },
      });
    },
  },
  {
    name: 'offboard with the CLI, then the erased tenant’s key is refused',
    block: /tenants -- erase ACME --yes/,
    showsError: true,
    check(out) {
      const printed = cliLines(out);
      expect(printed[0]).toBe('Erased tenant ACME: 0 leads, 0 outcomes, 0 Idempotency-Keys and 1 key deleted.');
      expect(json(printed[1])).toMatchObject({ statusCode: 401, message: 'Invalid or missing API key' });
      expect(printed).toHaveLength(2);
    },
  },
  {
    name: 'rate-limit sanity loop',
    block: /for i in \$\(seq 1 8\)/,
    check(out) {
      expect(lines(out)).toEqual(['200', '200', '200', '200', '200', '429', '429', '429']);
    },
  },
  {
    name: 'rate-limit headers',
    block: /-D - -o \/dev\/null http:\/\/localhost:8000\/ops\/model-status/,
    check(out) {
      expect(out).toMatch(/^X-RateLimit-Limit: 5\r?$/im);
      expect(out).toMatch(/^X-RateLimit-Remaining: 4\r?$/im);
      expect(out).toMatch(/^X-RateLimit-Reset: \d+\r?$/im);
      expect(out).toMatch(/^RateLimit-Policy: "minute";q=5;w=60\r?$/im);
      expect(out).toMatch(/^RateLimit: "minute";r=4;t=\d+\r?$/im);
    },
  },
  {
    name: 'where an instance stands on Redis',
    block: /rate_limit_\(backend_up\|fail_open_total\)/,
    check(out) {
      expect(json(lines(out)[0])).toMatchObject({ checks: { redis: 'disabled' } });
      expect(out).toMatch(/^rate_limit_backend_up 1$/m);
      expect(out).toMatch(/^rate_limit_fail_open_total \d+$/m);
    },
  },
  {
    name: 'production switches took effect',
    block: /Host: unknown\.example/,
    check(out) {
      expect(lines(out)).toEqual(['401', '400', 'no CORS header for https://elsewhere.example']);
    },
  },
  {
    name: 'readiness with its status code',
    block: /HTTP %\{http_code\}/,
    check(out) {
      const [body, status] = lines(out);
      expect(json(body)).toMatchObject({ status: 'ready' });
      expect(status).toBe('HTTP 200');
    },
  },
  {
    name: 'demo data',
    block: /^npm run seed:demo$/m,
    check(out) {
      expect(out).toMatch(/^Demo tenant DEMO: 500 leads, \d+ with an outcome \(\d+ booked\)\.$/m);
      expect(out).toMatch(/^ {2}co_live_\S+$/m);
    },
  },
  {
    name: 'retrain, then the model status',
    block: /\/ops\/model\/retrain/,
    check(out) {
      const [retrain, status] = lines(out).map(json);
      expect(retrain).toMatchObject({ activated: true, auc: expect.any(Number) });
      expect(status).toMatchObject({ tenant: 'EXPERTCO', loaded: true, health: 'ok', version: retrain.version });
    },
  },
  {
    name: 'verify',
    block: /npm run verify -- --url/,
    check(out) {
      expect(out).not.toContain('✗');
      expect(out).toMatch(/^✓ health: ok/m);
      expect(out).toMatch(/^✓ tenant key accepted: tenant EXPERTCO$/m);
      expect(out).toMatch(
        /^✓ rate limiting reaches 429 within the ops limit: 429 on request \d+ \(limit 5 per window\)/m,
      );
      expect(out).toMatch(/^All \d+ checks passed\. \(\d+\.\d s\)$/m);
    },
  },
  {
    name: 'an unknown key is refused',
    block: /not-a-known-key/,
    showsError: true,
    check(out) {
      expect(json(out)).toMatchObject({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'Invalid or missing API key',
      });
    },
  },
];

const expectationFor = (block: FencedBlock): Expectation | undefined =>
  EXPECTATIONS.find((expectation) => expectation.block.test(block.code));

describe('docs/OPERATIONS.md, read', () => {
  it('only has bash, PowerShell and PromQL blocks, so no command escapes the rules below', () => {
    expect([...new Set(runbook.map((block) => block.lang))].sort()).toEqual(['bash', 'powershell', 'promql']);
  });

  it('runs every bash block that targets the API, and says why it does not run each other one', () => {
    const misclassified = bashBlocks
      .map((block) => ({ block, reason: notRunReason(block), targets: targetsApi(block.code) }))
      .filter(({ reason, targets }) => (targets ? reason !== null : !reason))
      .map(({ block, reason, targets }) =>
        targets
          ? `line ${block.line}: targets the API but is marked "not run: ${reason}"`
          : `line ${block.line}: does not target the API and has no "# not run: <reason>" first line`,
      );
    expect(misclassified).toEqual([]);
    expect(blocksToRun.length).toBeGreaterThanOrEqual(MIN_BLOCKS_RUN);
  });

  it('never lets a block that runs reach port 8000 of this machine', () => {
    for (const block of blocksToRun) {
      expect({ line: block.line, withoutUrl: cliCallsWithoutUrl(block.code) }).toEqual({
        line: block.line,
        withoutUrl: [],
      });
      expect(rewriteBaseUrl(block.code, 'http://127.0.0.1:1')).not.toMatch(/localhost:8000|127\.0\.0\.1:8000/);
    }
  });

  it('follows every bash block with its PowerShell form, calling the same paths and scripts', () => {
    const problems: string[] = [];
    for (const bash of bashBlocks) {
      const powershell = powershellCounterpart(runbook, bash);
      if (!powershell) {
        problems.push(`line ${bash.line}: no powershell block right after it`);
        continue;
      }
      const missingPaths = apiPaths(bash.code).filter((path) => !apiPaths(powershell.code).includes(path));
      const missingCommands = operatorCommands(bash.code).filter(
        (command) => !operatorCommands(powershell.code).includes(command),
      );
      for (const missing of [...missingPaths, ...missingCommands]) {
        problems.push(`line ${bash.line}: the PowerShell form at line ${powershell.line} lacks ${missing}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('has an expectation for exactly one block that runs, for each expectation', () => {
    for (const expectation of EXPECTATIONS) {
      const matching = blocksToRun.filter((block) => expectation.block.test(block.code)).map((block) => block.line);
      expect({ expectation: expectation.name, blocks: matching.length }).toEqual({
        expectation: expectation.name,
        blocks: 1,
      });
    }
  });

  it('has PromQL quick checks for tenants, enrichment rate, 5xx ratio and request rate', () => {
    const expressions = promqlBlocks.map((block) => block.code.replace(/\s+/g, ' ').trim());
    expect(expressions).toEqual(
      expect.arrayContaining([
        'max(api_tenants_count)',
        'sum(rate(lead_enrich_total[5m]))',
        'sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))',
        'sum by (endpoint) (rate(http_requests_total[5m]))',
      ]),
    );
  });
});

describe('docs/OPERATIONS.md, run against a live API', () => {
  let db: TestDatabase;
  const keysFile = join(tmpdir(), `co-runbook-keys-${randomBytes(6).toString('hex')}.env`);
  let keyId = '';
  /** Values blocks printed that the runbook tells the operator to keep in the shell (API_KEY_ACME). */
  const remembered: Record<string, string> = {};

  const appEnv: Record<string, string> = {
    REQUIRE_API_KEY: 'true',
    API_ADMIN_KEY: ADMIN_KEY,
    API_KEY_EXPERTCO: tenantKey,
    API_KEYS_FILE: keysFile,
    RATE_LIMIT_ENABLED: 'true',
    RATE_LIMIT_OPS: '5/minute',
    RATE_LIMIT_DEFAULT: '60/minute',
    ALLOWED_HOSTS: 'localhost,127.0.0.1',
    CORS_ORIGINS: 'https://ui.example.com',
    // The runbook starts the plans file from the template.
    PLANS_FILE: join(REPO_ROOT, 'config/plans.example.json'),
  };

  const startApp = (): Promise<TestApp> => startTestApp(db.url, { listen: true, env: appEnv });

  beforeAll(async () => {
    db = await createTestDatabase();
    // The stale key the runbook removes.
    writeFileSync(keysFile, '# tenant keys, edited with rotate-keys\nAPI_KEY_OLDCO=OLDKEY1\n');
    // The minted key the runbook revokes by id (KEY_ID).
    const t = await startApp();
    try {
      const minted = await t
        .http()
        .post('/ops/tenants/EXPERTCO/keys')
        .set('x-admin-key', ADMIN_KEY)
        .send({ expiresInDays: 30 })
        .expect(201);
      keyId = (minted.body as { id: string }).id;
    } finally {
      await t.close();
    }
  }, 60000);

  afterAll(async () => {
    rmSync(keysFile, { force: true });
    await db?.drop();
  });

  it.each(blocksToRun.map((block) => [describeBlock(block), block] as const))(
    '%s',
    async (_title, block) => {
      const t = await startApp();
      try {
        const shellEnv = {
          API_ADMIN_KEY: ADMIN_KEY,
          API_KEY_EXPERTCO: tenantKey,
          API_KEYS_FILE: keysFile,
          KEY_ID: keyId,
          DATABASE_URL: db.url,
          LOG_LEVEL: 'warn',
          ...remembered,
        };
        const secrets = [ADMIN_KEY, tenantKey, ...Object.values(remembered)];
        const code = rewriteBaseUrl(block.code, t.url);
        const res = await runBash(code, { env: shellEnv, timeoutMs: 100000 });
        expect({ exit: res.code, timedOut: res.timedOut, stderr: res.stderr, stdout: res.stdout }).toMatchObject({
          exit: 0,
          timedOut: false,
        });
        expect(res.stderr).not.toMatch(/curl: \(\d+\)/);
        for (const secret of secrets) expect(res.stdout + res.stderr).not.toContain(secret);
        expect(res.stdout).not.toContain(DOCUMENTED_URL);

        const expectation = expectationFor(block);
        if (!expectation?.showsError) expect(res.stdout).not.toMatch(/"statusCode":\s*[45]\d\d/);
        expectation?.check(res.stdout, {
          keyId,
          remember: (name, value) => {
            remembered[name] = value;
          },
        });
      } finally {
        await t.close();
      }
    },
    120000,
  );

  it('uses only metric names and labels in its PromQL that the API exports', async () => {
    const t = await startApp();
    try {
      // Labelled series appear with their first event: capture a lead and record its outcome.
      await captureAndBook(t, tenantKey);
      const scrape = parsePrometheus((await t.http().get('/metrics').expect(200)).text);
      // The rate-limit block above produced 429s in this process, so rate_limit_rejected_total has its bucket label.
      const problems = promqlBlocks.flatMap((block) =>
        missingFromScrape(scrape, { source: `promql at line ${block.line}`, expr: block.code }),
      );
      expect(problems).toEqual([]);
      expect(promqlBlocks.length).toBeGreaterThanOrEqual(4);
    } finally {
      await t.close();
    }
  });
});
