import 'reflect-metadata';
import { rotateKeys, ROTATE_KEYS_USAGE } from './rotate-keys';
import { tenants, TENANTS_USAGE } from './tenants';
import { verify, VERIFY_USAGE } from './verify';

type Command = (argv: string[], print: (line: string) => void) => Promise<void>;

const COMMANDS: Record<string, Command> = {
  'rotate-keys': rotateKeys,
  tenants,
  verify,
};

const USAGE = `Usage: ops-cli <command> [options]

Commands:
  rotate-keys   edit the API keys file and reload the running API
  tenants       onboard, change, suspend, resume and erase tenants; show their usage
  verify        smoke-test a running deployment (checklist; exit 1 on any failure)

${ROTATE_KEYS_USAGE}

${TENANTS_USAGE}

${VERIFY_USAGE}`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  try {
    await command(rest, (line) => process.stdout.write(`${line}\n`));
    return 0;
  } catch (error) {
    process.stderr.write(`${name}: ${(error as Error).message}\n`);
    return 1;
  }
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
