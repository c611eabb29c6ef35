import { defineGauge } from './metric-definition';

/** Distinct tenants with at least one active API key. Set by the auth key registry on every reload. */
export const API_TENANTS_COUNT = defineGauge({
  name: 'api_tenants_count',
  help: 'Number of distinct tenants with at least one active API key',
});
