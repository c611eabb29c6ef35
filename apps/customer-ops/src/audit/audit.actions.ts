/** Every admin mutation that leaves an audit row. */
export const AUDIT_ACTIONS = [
  'tenant.create',
  'tenant.update',
  'tenant.suspend',
  'tenant.resume',
  'tenant.erase',
  'key.mint',
  'key.revoke',
  'auth.reload',
  'usage.reset',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Who made a change and in which request; read from the request context by @AuditActor(). */
export interface AuditActor {
  /** Fingerprint of the admin key used (`sha256:…`), or null for changes without one (fleet, CLI seeding). */
  actor: string | null;
  requestId: string | null;
}

export interface AuditEvent {
  action: AuditAction;
  tenant?: string;
  target?: string;
  details?: Record<string, string | number | boolean | null>;
}
