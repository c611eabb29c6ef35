import { CreateTenants1764201600000 } from './1764201600000-CreateTenants';
import { CreateApiKeys1764288000000 } from './1764288000000-CreateApiKeys';
import { CreateLeads1764374400000 } from './1764374400000-CreateLeads';
import { CreateModelVersions1764460800000 } from './1764460800000-CreateModelVersions';
import { TenantLifecycle1764547200000 } from './1764547200000-TenantLifecycle';
import { ApiKeyUsage1764633600000 } from './1764633600000-ApiKeyUsage';
import { TenantTimestampDefaults1764720000000 } from './1764720000000-TenantTimestampDefaults';

/** Every migration, oldest first. Add new ones at the end. */
export const MIGRATIONS = [
  CreateTenants1764201600000,
  CreateApiKeys1764288000000,
  CreateLeads1764374400000,
  CreateModelVersions1764460800000,
  TenantLifecycle1764547200000,
  ApiKeyUsage1764633600000,
  TenantTimestampDefaults1764720000000,
];
