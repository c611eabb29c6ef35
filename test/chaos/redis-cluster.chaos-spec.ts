import { rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeChaos } from '../support/chaos';
import { ADMIN_KEY, randomKey, uniqueTenant, writeKeysFile } from '../support/keys';
import { parsePrometheus } from '../support/prometheus';
import { eventually } from '../support/redis';
import { RedisCluster, redisClusterAvailable } from '../support/redis-cluster';
import { TestApp } from '../support/test-app';
import { twoInstances } from '../support/two-instances';

/*
 * Two instances on one database and a private Redis Cluster of three masters (no replicas,
 * cluster-require-full-coverage no), given as REDIS_CLUSTER_NODES. They share one rate-limit
 * budget per tenant and announce auth reloads to each other over the cluster. Then one
 * master is SIGKILLed: the tenant whose counters live on it is served unlimited (fail open,
 * logged and counted), the tenant on a surviving master keeps its shared limit, and limits
 * resume by themselves once the master is back on its port with its nodes.conf.
 */
const name = 'a fleet on a Redis Cluster, and one master killed and restarted';
const describeCluster = redisClusterAvailable()
  ? describeChaos
  : (title: string, fn: () => void) => describe.skip(`${title} [skipped: install redis-server and redis-cli]`, fn);

describeCluster(name, () => {
  let cluster: RedisCluster;
  const admin = { 'x-admin-key': ADMIN_KEY };
  const keysFile = join(tmpdir(), `co-cluster-keys-${randomBytes(6).toString('hex')}.env`);
  /** A tenant whose counters live on the master that is killed, and one on another master. */
  const onVictim = { tenant: '', key: randomKey('victim') };
  const onSurvivor = { tenant: '', key: randomKey('survivor') };
  let victimPort = 0;
  const env: Record<string, string> = {
    REQUIRE_API_KEY: 'true',
    API_ADMIN_KEY: ADMIN_KEY,
    API_KEYS_FILE: keysFile,
    REDIS_KEY_PREFIX: `co-cluster-${uniqueTenant('P').toLowerCase()}`,
    RATE_LIMIT_ENABLED: 'true',
    RATE_LIMIT_FALLBACK: 'open',
    // Room for a loaded test machine: no limiter call may time out while its master is up.
    REDIS_COMMAND_TIMEOUT_MS: '500',
    // Tenants are probed on /v1 (3 a minute); admin calls and key checks go to /ops.
    RATE_LIMIT_DEFAULT: '3/minute',
    RATE_LIMIT_OPS: '1000/minute',
  };

  beforeAll(async () => {
    cluster = await RedisCluster.start();
    env.REDIS_CLUSTER_NODES = cluster.nodesVariable;
    victimPort = cluster.ports[0];
    // Tenants are picked by the slot of their hash tag (`tenant:<NAME>`, as the limiter names it).
    while (!onVictim.tenant || !onSurvivor.tenant) {
      const tenant = uniqueTenant('CL');
      const port = await cluster.portOf(`tenant:${tenant}`);
      if (port === victimPort && !onVictim.tenant) onVictim.tenant = tenant;
      if (port !== victimPort && !onSurvivor.tenant) onSurvivor.tenant = tenant;
    }
    env[`API_KEY_${onVictim.tenant}`] = onVictim.key;
    env[`API_KEY_${onSurvivor.tenant}`] = onSurvivor.key;
    writeKeysFile(keysFile, []);
  }, 30000);
  // Started after the cluster (hooks run in order), with the environment filled in above.
  const fleet = twoInstances({ env });
  afterAll(async () => {
    rmSync(keysFile, { force: true });
    await cluster?.stop();
  });

  /** A limited call (GET /v1/leads, 3 a minute per tenant). */
  const status = async (app: TestApp, key: string) => (await app.http().get('/v1/leads').set('x-api-key', key)).status;
  /** Whether `key` is accepted, without spending the /v1 budget. */
  const accepted = async (app: TestApp, key: string) =>
    (await app.http().get('/ops/model-status').set('x-api-key', key)).status === 200;
  const metrics = async (app: TestApp) => parsePrometheus((await app.http().get('/metrics')).text);
  /** A tenant added to the keys file and a reload on `from`: `to` accepts its key within 2 s, by the fleet message. */
  const reloadReaches = async (from: TestApp, to: TestApp) => {
    const tenant = uniqueTenant('ROT');
    const key = randomKey('rot');
    writeKeysFile(keysFile, [`API_KEY_${tenant}=${key}`]);
    expect(await accepted(to, key)).toBe(false);
    const fleetReloads = () =>
      to.logs.lines().filter((line) => line.msg === 'audit' && line.trigger === 'fleet').length;
    const before = fleetReloads();
    expect((await from.http().post('/ops/reload-auth').set(admin)).status).toBe(200);
    await eventually(() => accepted(to, key), 2000);
    expect(fleetReloads()).toBe(before + 1);
  };
  const messages = (app: TestApp) => app.logs.lines().map((line) => String(line.msg));

  it('counts one budget per tenant across the instances, on every master', async () => {
    const { a, b } = fleet;
    for (const { key } of [onVictim, onSurvivor]) {
      expect([await status(a, key), await status(b, key), await status(a, key), await status(b, key)]).toEqual([
        200, 200, 200, 429,
      ]);
    }
    expect((await a.http().get('/health')).body.checks.redis).toBe('up');
  });

  it('a key minted on one instance works on the other within 2 s', async () => {
    const minted = await fleet.a.http().post(`/ops/tenants/${onSurvivor.tenant}/keys`).set(admin);
    expect(minted.status).toBe(201);
    await eventually(() => accepted(fleet.b, minted.body.key), 2000);
  });

  it('a reload on either instance re-reads the keys file on the other within 2 s', async () => {
    await reloadReaches(fleet.a, fleet.b);
    await reloadReaches(fleet.b, fleet.a);
  });

  it('a killed master: its tenants are served unlimited, the others keep their shared limits', async () => {
    const { a, b } = fleet;
    const failOpenBefore = (await metrics(a)).value('rate_limit_fail_open_total') ?? 0;
    await cluster.kill(victimPort);

    // The victim's budget was spent: 200s now mean its requests are not counted (fail open).
    await eventually(async () => (await status(a, onVictim.key)) === 200, 5000, 100);
    for (let i = 0; i < 5; i++) expect(await status(a, onVictim.key)).toBe(200);
    // The survivor's counters are on a live master: still refused, on both instances.
    expect([await status(a, onSurvivor.key), await status(b, onSurvivor.key)]).toEqual([429, 429]);

    const scrape = await metrics(a);
    expect(scrape.value('rate_limit_fail_open_total')).toBeGreaterThan(failOpenBefore);
    expect(scrape.value('rate_limit_backend_up')).toBe(0);
    expect((await a.http().get('/health')).body.checks.redis).toBe('degraded');
    const outage = a.logs.lines().filter((line) => String(line.msg).startsWith('rate limiter: Redis unavailable'));
    expect(outage).toHaveLength(1);
    expect(outage[0]).toMatchObject({ clusterNode: `127.0.0.1:${victimPort}` });
  });

  it('while the master is down, reloads on either instance still reach the other within 2 s', async () => {
    // Repeated: the announcement and each subscription go through a node of the client's choice.
    for (let round = 0; round < 3; round++) await reloadReaches(fleet.a, fleet.b);
    for (let round = 0; round < 3; round++) await reloadReaches(fleet.b, fleet.a);
  });

  it('the master restarted: limits apply again within 5 s, and the outage and recovery were logged once each', async () => {
    const { a } = fleet;
    await cluster.restart(victimPort);
    // The master came back empty (nothing is persisted): the victim's budget starts over, so a
    // 429 proves its requests are counted in the cluster again.
    await eventually(async () => (await status(a, onVictim.key)) === 429, 5000, 100);
    expect((await metrics(a)).value('rate_limit_backend_up')).toBe(1);
    expect((await a.http().get('/health')).body.checks.redis).toBe('up');
    expect(messages(a).filter((m) => m.startsWith('rate limiter: Redis unavailable'))).toHaveLength(1);
    expect(messages(a).filter((m) => m === 'rate limiter: Redis is back, shared limits resume')).toHaveLength(1);
    expect(a.logs.accessLines().filter((line) => Number(line.status) >= 500)).toEqual([]);
  });

  it('after the outage reloads still reach the other instance within 2 s', async () => {
    await reloadReaches(fleet.a, fleet.b);
    await reloadReaches(fleet.b, fleet.a);
  });
});
