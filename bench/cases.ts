import { BENCH_LEAD } from './pgbench';

/*
 * What the bench measures. A throughput round runs every case once, in this order, so that
 * each API figure has a bare-baseline and a usual-assembly figure measured minutes apart
 * (A/B interleaved): bare, API, usual, then the API's lead routes.
 */

export type ServerKind = 'bare' | 'api' | 'usual';

export interface Case {
  id: string;
  label: string;
  /** The label in tables that name the platform or the server elsewhere. */
  short: string;
  server: ServerKind;
  path: string;
  method?: 'GET' | 'POST';
  body?: string;
  /** Sends the tenant key (x-api-key). */
  auth: boolean;
  /** Sends a unique Idempotency-Key with every request. */
  idempotent?: boolean;
  /** Runs ANALYZE leads before the case (the writes before it added thousands of rows). */
  analyzeBefore?: boolean;
}

export const LEAD_BODY = JSON.stringify(BENCH_LEAD);

export const CASES: Case[] = [
  {
    id: 'bare',
    label: 'bare NestJS, one JSON route (`GET /ping`)',
    short: 'bare `GET /ping`',
    server: 'bare',
    path: '/ping',
    auth: false,
  },
  {
    id: 'api:model-status',
    label: 'this API `GET /ops/model-status` (tenant key, Redis limit, metrics, access log)',
    short: '`GET /ops/model-status`',
    server: 'api',
    path: '/ops/model-status',
    auth: true,
  },
  {
    id: 'usual:model-status',
    label: 'the usual assembly `GET /ops/model-status`',
    short: 'usual assembly `GET /ops/model-status`',
    server: 'usual',
    path: '/ops/model-status',
    auth: true,
  },
  {
    id: 'api:capture',
    label: 'this API `POST /v1/leads`',
    short: '`POST /v1/leads`',
    server: 'api',
    path: '/v1/leads',
    method: 'POST',
    body: LEAD_BODY,
    auth: true,
  },
  {
    id: 'api:capture-idempotent',
    label: 'this API `POST /v1/leads` with an Idempotency-Key',
    short: '`POST /v1/leads` + Idempotency-Key',
    server: 'api',
    path: '/v1/leads',
    method: 'POST',
    body: LEAD_BODY,
    auth: true,
    idempotent: true,
  },
  {
    id: 'api:list',
    label: 'this API `GET /v1/leads?limit=20`',
    short: '`GET /v1/leads?limit=20`',
    server: 'api',
    path: '/v1/leads?limit=20',
    auth: true,
    analyzeBefore: true,
  },
];

/** Cases measured at a fixed offered rate (autocannon) for their p99. */
export const FIXED_RATE_CASES = ['api:model-status', 'api:capture', 'api:capture-idempotent', 'api:list'];

/** Cases of the memory rounds (the API only). */
export const MEMORY_CASES = ['api:model-status', 'api:capture', 'api:capture-idempotent', 'api:list'];

export function caseById(id: string): Case {
  const found = CASES.find((c) => c.id === id);
  if (!found) throw new Error(`unknown case ${id}: one of ${CASES.map((c) => c.id).join(', ')}`);
  return found;
}
