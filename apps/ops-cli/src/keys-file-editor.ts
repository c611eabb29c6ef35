import { isValidKey, isValidTenant, normaliseTenant, parseKeysFileLine } from '@app/api-keys';

export interface KeyAddition {
  tenant: string;
  key: string;
}

export interface KeysFileEdit {
  text: string;
  added: KeyAddition[];
  alreadyPresent: KeyAddition[];
  removed: number;
}

export class KeysFileEditError extends Error {}

/** "NEWCO:NEWKEY123" -> { tenant: "NEWCO", key: "NEWKEY123" } (tenant upper-cased). */
export function parseAddition(spec: string): KeyAddition {
  const colon = spec.indexOf(':');
  if (colon <= 0) throw new KeysFileEditError(`--add expects TENANT:KEY, got "${spec.split(':')[0]}…"`);
  const tenant = normaliseTenant(spec.slice(0, colon));
  const key = spec.slice(colon + 1);
  if (!isValidTenant(tenant)) throw new KeysFileEditError(`invalid tenant name "${tenant}" (letters, digits, _ and -)`);
  if (!isValidKey(key))
    throw new KeysFileEditError(`the key for ${tenant} must be 6-512 printable characters without spaces`);
  return { tenant, key };
}

/**
 * Applies additions and removals to a keys file's text, keeping every other line and
 * comment as it is. Removal matches by key value. Refuses to edit a malformed file, to
 * give one key value to two tenants, and to remove a key that is not in the file.
 */
export function editKeysFile(original: string, additions: KeyAddition[], removals: string[]): KeysFileEdit {
  const lines = original === '' ? [] : original.replace(/\r?\n$/, '').split(/\r?\n/);
  const entries = lines.map((line, index) => {
    try {
      return parseKeysFileLine(line, index + 1);
    } catch (error) {
      throw new KeysFileEditError(`the keys file is malformed at ${(error as Error).message}; fix it first`);
    }
  });

  const toRemove = new Set(removals);
  for (const key of toRemove) {
    if (!entries.some((entry) => entry?.key === key)) {
      throw new KeysFileEditError(`a key given to --remove is not in the keys file; nothing was changed`);
    }
  }
  const kept = lines.filter((_, index) => !(entries[index] && toRemove.has(entries[index].key)));
  const removed = lines.length - kept.length;
  const remaining = entries.filter((entry) => entry && !toRemove.has(entry.key));

  const added: KeyAddition[] = [];
  const alreadyPresent: KeyAddition[] = [];
  for (const addition of additions) {
    const owner = [...remaining, ...added].find((entry) => entry?.key === addition.key);
    if (owner && owner.tenant !== addition.tenant) {
      throw new KeysFileEditError(
        `that key already belongs to tenant ${owner.tenant}; a key can belong to one tenant only`,
      );
    }
    if (owner) alreadyPresent.push(addition);
    else {
      added.push(addition);
      kept.push(`API_KEY_${addition.tenant}=${addition.key}`);
    }
  }
  return { text: kept.length > 0 ? `${kept.join('\n')}\n` : '', added, alreadyPresent, removed };
}
