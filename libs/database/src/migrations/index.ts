import { CreateTenants1764201600000 } from './1764201600000-CreateTenants';
import { CreateApiKeys1764288000000 } from './1764288000000-CreateApiKeys';

/** Every migration, oldest first. Add new ones at the end. */
export const MIGRATIONS = [CreateTenants1764201600000, CreateApiKeys1764288000000];
