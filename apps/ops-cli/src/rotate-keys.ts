import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_API_KEYS_FILE, readProcessEnvironment } from '@app/config';
import { ApiClient, TenantListing } from './api-client';
import { editKeysFile, parseAddition } from './keys-file-editor';

export const ROTATE_KEYS_USAGE = `Usage: npm run rotate-keys -- [--add TENANT:KEY]... [--remove KEY]...
                              [--url http://localhost:8000] [--file ./config/api-keys.env] [--no-reload]

Edits the keys file (atomically; other lines and comments are kept), then asks the API to
reload its keys (POST /ops/reload-auth with API_ADMIN_KEY from the environment) and prints
the tenants before and after. --remove matches by key value.`;

function describeTenants(listing: TenantListing): string {
  if (listing.count === 0) return '(none)';
  // Tenants that can authenticate: those with at least one key.
  return listing.tenants
    .filter((t) => t.keys.length > 0)
    .map((t) => `${t.tenant} (${t.keys.length} key${t.keys.length === 1 ? '' : 's'})`)
    .join(', ');
}

async function readKeysFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw new Error(`cannot read the keys file ${path}: ${(error as NodeJS.ErrnoException).code}`);
  }
}

/**
 * Writes next to the target, then renames over it: readers see the old file or the new one.
 * An existing file keeps its permissions (a container may read it as another user); a new
 * one is readable by its owner only.
 */
async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  try {
    await mkdir(dirname(path), { recursive: true });
    const mode = await stat(path).then(
      (existing) => existing.mode & 0o777,
      () => 0o600,
    );
    await writeFile(temp, text, { mode });
    await rename(temp, path);
  } catch (error) {
    throw new Error(
      `cannot write the keys file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

export async function rotateKeys(argv: string[], print: (line: string) => void): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      add: { type: 'string', multiple: true, default: [] },
      remove: { type: 'string', multiple: true, default: [] },
      url: { type: 'string' },
      file: { type: 'string' },
      'no-reload': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    print(ROTATE_KEYS_USAGE);
    return;
  }
  const env = readProcessEnvironment();
  const additions = values.add
    .flatMap((spec) => spec.split(','))
    .filter(Boolean)
    .map(parseAddition);
  const removals = values.remove.flatMap((spec) => spec.split(',')).filter(Boolean);
  if (additions.length === 0 && removals.length === 0) throw new Error(`nothing to do.\n${ROTATE_KEYS_USAGE}`);
  const file = values.file ?? env.API_KEYS_FILE ?? DEFAULT_API_KEYS_FILE;

  const edit = editKeysFile(await readKeysFile(file), additions, removals);

  let api: ApiClient | null = null;
  let before: TenantListing | null = null;
  if (!values['no-reload']) {
    const adminKey = env.API_ADMIN_KEY;
    if (!adminKey) throw new Error('API_ADMIN_KEY is not set: it is needed to reload the API (or pass --no-reload)');
    api = new ApiClient(values.url ?? env.CUSTOMER_OPS_URL ?? 'http://localhost:8000', { 'x-admin-key': adminKey });
    before = await api.request<TenantListing>('GET', '/ops/tenants');
  }

  await writeAtomically(file, edit.text);
  print(
    `Keys file ${file}: ${edit.added.length} added, ${edit.removed} removed` +
      (edit.alreadyPresent.length ? `, ${edit.alreadyPresent.length} already present` : ''),
  );

  if (!api || !before) {
    print('Not reloaded (--no-reload): run POST /ops/reload-auth to apply.');
    return;
  }
  const reloaded = await api.request<{ keys: number; tenants: number }>('POST', '/ops/reload-auth');
  const after = await api.request<TenantListing>('GET', '/ops/tenants');
  print(`Reloaded: ${reloaded.keys} active keys, ${reloaded.tenants} tenants`);
  print(`Tenants before: ${describeTenants(before)}`);
  print(`Tenants after:  ${describeTenants(after)}`);
}
