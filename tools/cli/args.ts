// The command line of the repository's own commands (npm run stack, demo, bench, docs, faults,
// build:confluent, npm test): node:util's parseArgs plus the rule they all keep. Every command
// answers --help (its usage on stdout, exit 0, before it starts anything) and --json (its result as
// one JSON document on stdout, progress on stderr), and a bad option or value is one line,
// `<command>: <message>`, then the usage, on stderr, exit 2. Without this, parseArgs's error
// escaped as a stack trace, and commands that read no options started their work on --help.
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";

/** What every command takes besides its own options. */
const SHARED = {
  help: { type: "boolean", short: "h", default: false },
  json: { type: "boolean", default: false },
} as const;

/** Where the usage and errors go and how the command ends: the process's, or a test's. */
export type Io = { out(text: string): void; err(text: string): void; exit(code: number): never };

const PROCESS: Io = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  exit: (code) => process.exit(code),
};

type Config<O extends ParseArgsOptionsConfig> = {
  args: string[];
  options: O & typeof SHARED;
  allowPositionals: boolean;
  strict: true;
};
type Parsed<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<Config<O>>>;

export type CommandLine<O extends ParseArgsOptionsConfig> = Parsed<O> & {
  /** A bad value the command found itself: reported as a bad option is, exit 2. */
  fail: (message: string) => never;
};

/** Parses the command line; prints the usage and exits on --help, or on an error (exit 2). */
export function parseCommandLine<const O extends ParseArgsOptionsConfig>(
  command: string,
  usage: string,
  options: O,
  { args = process.argv.slice(2), allowPositionals = false, io = PROCESS }: ParseOptions = {},
): CommandLine<O> {
  const fail = (message: string): never => {
    io.err(`${command}: ${message}\n${usage}\n`);
    return io.exit(2);
  };
  let parsed: Parsed<O>;
  try {
    parsed = parseArgs<Config<O>>({
      args,
      options: { ...options, ...SHARED },
      allowPositionals,
      strict: true,
    });
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
  if ((parsed.values as { help?: boolean }).help === true) {
    io.out(`${usage}\n`);
    return io.exit(0);
  }
  return { ...parsed, fail };
}

export type ParseOptions = { args?: string[]; allowPositionals?: boolean; io?: Io };

/** A --json result: one document on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
