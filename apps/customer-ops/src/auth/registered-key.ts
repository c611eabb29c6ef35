export type KeySource = 'env' | 'file' | 'db';

/** A key as the registry holds it: its digest and metadata, never the key itself. */
export interface RegisteredKey {
  id: string;
  tenant: string;
  source: KeySource;
  digest: string;
  fingerprint: string;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

export function isUsable(key: RegisteredKey, now: number): boolean {
  return (!key.expiresAt || key.expiresAt.getTime() > now) && (!key.revokedAt || key.revokedAt.getTime() > now);
}
