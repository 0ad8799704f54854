/**
 * The config file: the options a CI sets on every run, read with lilconfig. `--config FILE` names it; without it,
 * the working directory is searched (only it: a file in a folder above must not change a run unseen) for
 * isym-conform.config.json, .isym-conformrc.json, .isym-conformrc (JSON), isym-conform.config.js / .mjs / .cjs, or
 * an "isym-conform" key in package.json. Its keys are the long option names as on the command line, without the
 * dashes (`"report-dir": "out"`, `"only": ["ADDR", "HTTP"]`, `"strict": true`); the command line wins over the
 * environment (ISYM_TARGET), which wins over the file. Credentials are refused: a file is checked in and shared,
 * ISYM_USER / ISYM_PASSWORD are not.
 */
import { resolve } from 'node:path';
import type { Command, Option } from 'commander';
import { defaultLoaders, lilconfig, type Loader } from 'lilconfig';

/** The name the search looks for (the files and the package.json key). */
const configName = 'isym-conform';

/** Where the search looks, in this order, in the working directory. */
export const configSearchPlaces = [
  'isym-conform.config.json',
  '.isym-conformrc.json',
  '.isym-conformrc',
  'isym-conform.config.js',
  'isym-conform.config.mjs',
  'isym-conform.config.cjs',
  'package.json',
];

/** Options that make no sense in a file: they do something else than configure a run, or they name the file. */
const notInFile = new Set(['config', 'list-rules', 'help', 'version']);

/** A key that holds or looks like a credential: refused, whatever option it would be. */
const credentialKey = /user|pass|secret|token|credential|auth|api-?key/i;

/**
 * Options that stand for each other: the command line giving one sets aside the file's other, so that a file with
 * a target and a `--embedded` on the command line check the embedded server, not both.
 */
const alternatives: readonly (readonly [string, string])[] = [
  ['target', 'embedded'],
  ['verbose', 'quiet'],
  ['cacert', 'insecure'],
];

function alternativesOf(key: string): string[] {
  return alternatives.flatMap(([a, b]) => (a === key ? [b] : b === key ? [a] : []));
}

/** The values of a config file, and where it is. */
export interface ConfigFile {
  /** The file, as an absolute path. */
  file: string;
  /** Its keys and values, as written. */
  values: Record<string, unknown>;
}

/** A config file that cannot be used: the message says which file and why (exit 2). */
export class ConfigFileError extends Error {}

/** lilconfig's loader for `extension`, with the file's name in its error: a file that does not parse says which file. */
function namingLoader(extension: string): Loader {
  const load = defaultLoaders[extension];
  return async (filepath, content) => {
    try {
      return await load(filepath, content);
    } catch (error) {
      throw new ConfigFileError(`The config file ${filepath} does not parse: ${(error as Error).message}`);
    }
  };
}

/**
 * Reads the config file: `explicit` (--config) when given, else the first of {@link configSearchPlaces} in `cwd`.
 * Undefined when there is none. Throws a {@link ConfigFileError} for a file that cannot be read or parsed, or
 * whose content is not an object.
 */
export async function readConfigFile(explicit: string | undefined, cwd: string = process.cwd()): Promise<ConfigFile | undefined> {
  const explorer = lilconfig(configName, {
    searchPlaces: configSearchPlaces,
    // The working directory only; and each call reads the file as it is now.
    stopDir: cwd,
    cache: false,
    loaders: Object.fromEntries(Object.keys(defaultLoaders).map((extension) => [extension, namingLoader(extension)])),
  });
  let found: Awaited<ReturnType<typeof explorer.search>>;
  try {
    found = explicit !== undefined ? await explorer.load(resolve(cwd, explicit)) : await explorer.search(cwd);
  } catch (error) {
    if (error instanceof ConfigFileError) throw error;
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new ConfigFileError(`Cannot read the config file ${explicit ?? ''}: ${reason}.`);
  }
  if (!found) return undefined;
  const { filepath, config } = found;
  // An empty file given with --config, or a package.json without the key: no values.
  if (config === null || config === undefined) return explicit !== undefined ? { file: filepath, values: {} } : undefined;
  if (typeof config !== 'object' || Array.isArray(config)) {
    throw new ConfigFileError(`The config file ${filepath} must hold an object of options (e.g. { "report-dir": "out" }), not ${Array.isArray(config) ? 'an array' : typeof config}.`);
  }
  return { file: filepath, values: config as Record<string, unknown> };
}

/** The long option name of `option`, without the dashes (`report-dir`). */
function optionKey(option: Option): string {
  return (option.long ?? '').replace(/^--/, '');
}

/** The options a file may set: every long option of `program` but credentials and {@link notInFile}. */
export function configurableOptions(program: Command): Option[] {
  return program.options.filter((option) => option.long && !notInFile.has(optionKey(option)) && !credentialKey.test(optionKey(option)));
}

/** The value of `key` in the file as the option's parser takes it: one string per item. */
function argumentsOf(key: string, value: unknown, file: string): string[] {
  const items = Array.isArray(value) ? value : [value];
  return items.map((item) => {
    if (typeof item === 'string' || (typeof item === 'number' && Number.isFinite(item))) return String(item);
    throw new ConfigFileError(`In the config file ${file}, "${key}" takes ${Array.isArray(value) ? 'strings or numbers' : 'a string or a number'}, not ${JSON.stringify(item)}.`);
  });
}

/**
 * Sets on `program` (already parsed) each value of `config` whose option the command line (or the environment)
 * did not set: the command line wins. A value goes through the option's own parser, so a file's `"runs": 0` is
 * refused as `--runs 0` is. Throws a {@link ConfigFileError} for a credential, an unknown key or a bad value.
 */
export function applyConfigFile(program: Command, config: ConfigFile): void {
  const options = new Map(configurableOptions(program).map((option) => [optionKey(option), option]));
  for (const [key, value] of Object.entries(config.values)) {
    if (credentialKey.test(key)) {
      throw new ConfigFileError(
        `The config file ${config.file} holds "${key}": credentials do not go in a file. Set ISYM_USER and ISYM_PASSWORD (or give --user and --password).`,
      );
    }
    const option = options.get(key);
    if (!option) {
      throw new ConfigFileError(`The config file ${config.file} holds an unknown key "${key}". Valid keys (the long options, without the dashes): ${[...options.keys()].join(', ')}.`);
    }
    const name = option.attributeName();
    if (givenBefore(program, name)) continue;
    // An option given on the command line also overrules the file's alternative to it (--embedded, "target").
    if (alternativesOf(key).some((other) => givenBefore(program, options.get(other)?.attributeName() ?? other))) continue;
    if (value === undefined || value === null) continue;
    program.setOptionValueWithSource(name, parsedValue(option, key, value, config.file), 'config');
  }
}

/** Whether the command line or the environment set the option (its value came from neither the default nor the file). */
function givenBefore(program: Command, attributeName: string): boolean {
  const source = program.getOptionValueSource(attributeName);
  return source === 'cli' || source === 'env';
}

/** `value` as the option would hold it, had the command line given it. */
function parsedValue(option: Option, key: string, value: unknown, file: string): unknown {
  if (option.isBoolean()) {
    if (typeof value !== 'boolean') throw new ConfigFileError(`In the config file ${file}, "${key}" is a switch: true or false, not ${JSON.stringify(value)}.`);
    return value || undefined;
  }
  const parse = option.parseArg;
  let parsed: unknown;
  for (const argument of argumentsOf(key, value, file)) {
    try {
      parsed = parse ? parse(argument, parsed) : argument;
    } catch (error) {
      throw new ConfigFileError(`In the config file ${file}, "${key}": ${(error as Error).message}`);
    }
  }
  return parsed;
}
