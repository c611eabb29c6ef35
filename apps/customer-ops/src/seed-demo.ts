import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { parseArgs } from 'node:util';
import { isValidTenant } from '@app/api-keys';
import { AppLogger } from '@app/http';
import { AppModule } from './app.module';
import { LeadsService } from './leads/leads.service';
import { isConversion } from './leads/outcomes';
import { OutcomesService } from './leads/outcomes.service';
import { generateDemoLeads } from './leads/scoring/demo-leads';
import { TenantKeysService } from './tenants/tenant-keys.service';
import { TenantsService } from './tenants/tenants.service';

const USAGE = 'Usage: npm run seed:demo -- [--tenant DEMO] [--leads 500] [--seed 42]';

/**
 * Fills the configured database with a demo tenant and realistic leads with outcomes, through
 * the same services the API uses, so every dashboard panel and the conversion model have data.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      tenant: { type: 'string', default: 'DEMO' },
      leads: { type: 'string', default: '500' },
      seed: { type: 'string', default: '42' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const tenant = values.tenant.toUpperCase();
  const count = Number(values.leads);
  const seed = Number(values.seed);
  if (!isValidTenant(tenant)) throw new Error(`invalid tenant name "${tenant}"`);
  if (!Number.isInteger(count) || count < 1 || count > 100_000)
    throw new Error('--leads must be an integer from 1 to 100000');
  if (!Number.isInteger(seed)) throw new Error('--seed must be an integer');

  const app = await NestFactory.createApplicationContext(AppModule, { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(AppLogger));
  try {
    // Seeding is an operator action without an admin key: its audit rows have no actor.
    const operator = { actor: null, requestId: null };
    const tenantKeys = app.get(TenantKeysService);
    const minted = tenantKeys.exists(tenant)
      ? await tenantKeys.mint(tenant, undefined, operator)
      : (await app.get(TenantsService).create({ tenant, mintKey: true }, operator)).key;
    if (!minted) throw new Error(`no key was minted for ${tenant}`);
    const leads = app.get(LeadsService);
    const outcomes = app.get(OutcomesService);
    let labelled = 0;
    let booked = 0;
    for (const demo of generateDemoLeads(count, seed)) {
      const { body } = await leads.capture(tenant, demo.lead);
      if (!demo.outcome) continue;
      await outcomes.record(tenant, body.id, {
        outcome: demo.outcome,
        timeToConversionSeconds: demo.timeToConversionSeconds,
      });
      labelled++;
      if (isConversion(demo.outcome)) booked++;
    }
    process.stdout.write(
      [
        `Demo tenant ${tenant}: ${count} leads, ${labelled} with an outcome (${booked} booked).`,
        `API key for ${tenant} (shown once; running instances pick it up within seconds):`,
        `  ${minted.key}`,
        'Next: POST /ops/model/retrain with your admin key, then capture leads with this key.',
        '',
      ].join('\n'),
    );
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`seed:demo failed: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
  process.exitCode = 1;
});
