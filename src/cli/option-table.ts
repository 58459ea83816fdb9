/**
 * Command options declared once, in a typed table (vitest's `cliOptionsConfig`): the yargs builder and the type of
 * the arguments a command's `run` receives both come from it, so a handler never casts `Record<string, unknown>`.
 *
 * A table maps each name as typed on the command line (`password-env`, `files`) to its spec; `run` gets the values
 * under their camelCase names (`passwordEnv`, `files`), normalised by `argumentsOf`:
 * - a single-valued option given twice keeps its last value (`--t1 100 --t1 200` is 200), as most tools do;
 * - `array` options and positionals (`<files..>`, `--header`) are always a string array, [] when not given;
 * - `repeatable` options (`--dns`) collect every occurrence without swallowing the positionals after them, as
 *   `array` would (`--dns 10.0.0.53 sip:alice@example.com`);
 * - string values are strings (yargs turns a numeric file name into a number).
 */
import type { Argv, Options, PositionalOptions } from 'yargs';

interface SpecBase {
  describe: string;
  alias?: string;
  /** A positional of the command string (`<uri>`, `<files..>`), not a --flag. */
  positional?: boolean;
}

export interface StringSpec extends SpecBase {
  type: 'string';
  default?: string;
  choices?: readonly string[];
  /** yargs refuses the command line without it. */
  demandOption?: boolean;
}

/** Several values after one flag (`--header A --header B`, `<files..>`). */
export interface StringArraySpec extends SpecBase {
  type: 'string';
  array: true;
}

/** Given several times or as one value each time; never swallows the arguments after it. */
export interface RepeatableSpec extends SpecBase {
  type: 'string';
  repeatable: true;
}

export interface NumberSpec extends SpecBase {
  type: 'number';
  default?: number;
}

export interface BooleanSpec extends SpecBase {
  type: 'boolean';
  default?: boolean;
}

export type OptionSpec = StringSpec | StringArraySpec | RepeatableSpec | NumberSpec | BooleanSpec;
export type OptionTable = Readonly<Record<string, OptionSpec>>;

/** `password-env` -> `passwordEnv` (the key yargs also gives, camel-case-expansion). */
export type CamelCase<Name extends string> = Name extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : Name;

type Present<Spec> = Spec extends { default: unknown } | { demandOption: true } | { positional: true } ? true : false;

type ValueOf<Spec> = Spec extends { array: true } | { repeatable: true }
  ? string[]
  : Spec extends { choices: readonly (infer Choice)[] }
    ? Choice
    : Spec extends { type: 'string' }
      ? string
      : Spec extends { type: 'number' }
        ? number
        : boolean;

type ValueWithPresence<Spec> = Spec extends { array: true } | { repeatable: true }
  ? string[]
  : Present<Spec> extends true
    ? ValueOf<Spec>
    : ValueOf<Spec> | undefined;

/** The arguments a command's `run` receives for its option table. */
export type ArgumentsOf<Table extends OptionTable> = {
  -readonly [Name in keyof Table & string as CamelCase<Name>]: ValueWithPresence<Table[Name]>;
};

export function camelCase(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

/** Declares each entry of the table on yargs: positionals with .positional, the rest with .option. */
export function declareOptions(yargs: Argv, table: OptionTable): Argv {
  let declared = yargs;
  const singleValued: string[] = [];
  for (const [name, spec] of Object.entries(table)) {
    const common = { type: spec.type, describe: spec.describe, ...(spec.alias === undefined ? {} : { alias: spec.alias }) };
    if ('array' in spec) {
      declared = spec.positional
        ? declared.positional(name, { ...common, array: true } as PositionalOptions)
        : declared.option(name, { ...common, array: true } as Options);
      continue;
    }
    const extra: Options = {};
    if ('default' in spec && spec.default !== undefined) extra.default = spec.default;
    if ('choices' in spec && spec.choices !== undefined) extra.choices = [...spec.choices];
    if ('demandOption' in spec && spec.demandOption) extra.demandOption = true;
    if (spec.positional) {
      declared = declared.positional(name, { ...common, ...extra } as PositionalOptions);
    } else {
      declared = declared.option(name, { ...common, ...extra } as Options);
      if (!('repeatable' in spec)) singleValued.push(name);
    }
  }
  // the last of repeated values, already for yargs' own checks (choices)
  return singleValued.length > 0 ? declared.coerce(singleValued, lastOf) : declared;
}

function lastOf(value: unknown): unknown {
  return Array.isArray(value) ? value[value.length - 1] : value;
}

function asList(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/**
 * The table's values out of what yargs parsed, under their camelCase names, normalised as the file comment says.
 * `restore` undoes what src/cli/index.ts does to carry a lone '-' past yargs.
 */
export function argumentsOf<Table extends OptionTable>(
  table: Table,
  parsed: Record<string, unknown>,
  restore: (text: string) => string = (text) => text,
): ArgumentsOf<Table> {
  const args: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(table)) {
    const key = camelCase(name);
    const value = parsed[name] ?? parsed[key];
    if ('array' in spec || 'repeatable' in spec) {
      args[key] = asList(value).map((item) => restore(String(item)));
      continue;
    }
    const last = lastOf(value);
    args[key] = spec.type === 'string' && last !== undefined ? restore(String(last)) : last;
  }
  return args as ArgumentsOf<Table>;
}
