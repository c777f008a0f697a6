// The command line of every npm script: `--help` (or -h) prints the usage and exits 0; an unknown or malformed
// option, or a value the script refuses, prints one line naming it and exits 2.
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;
const help = { help: { type: 'boolean', short: 'h' } } as const;

export function commandLine<const O extends Options>(usage: string, options: O, settings: { args?: string[]; positionals?: boolean } = {}) {
  const config = {
    args: settings.args ?? process.argv.slice(2),
    options: { ...options, ...help } as O & typeof help,
    allowPositionals: settings.positionals ?? false,
    strict: true as const,
  };
  let parsed: ReturnType<typeof parseArgs<typeof config>>;
  try {
    parsed = parseArgs(config);
  } catch (error) {
    usageError((error as Error).message);
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(usage.endsWith('\n') ? usage : `${usage}\n`);
    process.exit(0);
  }
  return parsed;
}

/** One line on stderr naming what is wrong, then exit 2. */
export function usageError(message: string): never {
  process.stderr.write(`${message.split('\n')[0]!.replace(/\. To specify a positional argument.*/, '')} (--help for usage)\n`);
  process.exit(2);
}

/** An option's value as a number >= min (a whole number when `whole`), or a usage error naming the option. */
export function numberOption(name: string, raw: string | undefined, { min = 0, whole = false } = {}): number {
  const value = Number(raw);
  if (raw === undefined || raw.trim() === '' || !Number.isFinite(value) || value < min || (whole && !Number.isInteger(value))) {
    usageError(`--${name} ${raw ?? '(missing)'}: must be a ${whole ? 'whole ' : ''}number >= ${min}`);
  }
  return value;
}
