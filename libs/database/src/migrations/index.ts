import { CreateTenants1764201600000 } from './1764201600000-CreateTenants';

/** Every migration, oldest first. Add new ones at the end. */
export const MIGRATIONS = [CreateTenants1764201600000];
