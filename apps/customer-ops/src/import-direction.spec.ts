import { ESLint } from 'eslint';
import { join } from 'node:path';

/** The import-direction rule of eslint.config.mjs, exercised on code that breaks it and code that keeps it. */
describe('import direction (npm run lint)', () => {
  const eslint = new ESLint({ cwd: join(__dirname, '..', '..', '..') });

  async function violations(file: string, source: string): Promise<string[]> {
    const [result] = await eslint.lintText(`${source}\nexport const used = imported;\n`, { filePath: file });
    return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
  }

  it.each([
    ['apps/customer-ops/src/model/features.ts', "import { imported } from '../leads/leads.repository';"],
    ['apps/customer-ops/src/model/math/auc.ts', "import { imported } from '../../leads/outcomes';"],
    ['apps/customer-ops/src/auth/auth.service.ts', "import { imported } from '../tenants/tenants.service';"],
    ['apps/customer-ops/src/metrics/metrics.module.ts', "import { imported } from '../auth/auth.guard';"],
    ['apps/customer-ops/src/metrics/metrics.module.ts', "import { imported } from '../rate-limit/rate-limit.store';"],
    ['apps/customer-ops/src/rate-limit/limits.ts', "import { imported } from '../audit/audit.service';"],
    ['apps/customer-ops/src/leads/leads.service.ts', "import { imported } from '../tenants/tenants.service';"],
    ['apps/customer-ops/src/tenants/tenants.service.ts', "import { imported } from '../ops/health.service';"],
    ['apps/customer-ops/src/leads/leads.service.ts', "import { imported } from '../app.module';"],
    ['apps/customer-ops/src/leads/leads.service.ts', "import { imported } from '../../../../test/support/keys';"],
    ['libs/http/src/errors.ts', "import { imported } from '../../../apps/customer-ops/src/auth/auth.guard';"],
    ['apps/ops-cli/src/verify.ts', "import { imported } from '../../customer-ops/src/auth/key-material';"],
  ])('%s may not say %s', async (file, source) => {
    expect(await violations(file, source)).toHaveLength(1);
  });

  it.each([
    ['apps/customer-ops/src/leads/leads.service.ts', "import { imported } from '../model/features';"],
    [
      'apps/customer-ops/src/leads/scoring/scoring.service.ts',
      "import { imported } from '../../model/model-trainer.service';",
    ],
    ['apps/customer-ops/src/leads/scoring/scoring.service.ts', "import { imported } from '../leads.repository';"],
    ['apps/customer-ops/src/tenants/tenants.service.ts', "import { imported } from '../leads/leads.repository';"],
    ['apps/customer-ops/src/auth/auth.service.ts', "import { imported } from '../audit/audit.service';"],
    ['apps/customer-ops/src/ops/health.service.ts', "import { imported } from '../tenants/tenants.service';"],
    ['apps/customer-ops/src/main.ts', "import { imported } from './app.module';"],
    ['apps/customer-ops/src/auth/auth.guard.ts', "import { imported } from '@app/http';"],
  ])('%s may say %s', async (file, source) => {
    expect(await violations(file, source)).toEqual([]);
  });
});
