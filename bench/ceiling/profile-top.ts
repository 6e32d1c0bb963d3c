// The top frames of a V8 CPU profile (node --cpu-prof), by self time, and the self time per package
// (node_modules/<pkg>, node: internals, the product's src/ folders): what the ceiling's notes quote.
//   node bench/ceiling/profile-top.ts <file.cpuprofile> [N]   (--json for the same as JSON)

import { readFileSync } from "node:fs";
import { parseCommandLine } from "../../tools/cli/args.ts";

type Node = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
};
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[] };

export type Top = {
  totalMs: number;
  frames: { ms: number; share: number; frame: string }[];
  packages: { ms: number; share: number; package: string }[];
};

function where(url: string): string {
  if (url === "") return "(native/V8)";
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  if (url.startsWith("node:")) return "node: internals";
  const src = /\/(src|bench|test)\/([^/]+)\//.exec(url);
  if (src) return `${src[1]}/${src[2]}`;
  return url.replace(/^.*\//, "");
}

export function top(profile: Profile, n: number): Top {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const frames = new Map<string, number>();
  const packages = new Map<string, number>();
  let total = 0;
  for (const [id, us] of self) {
    const f = byId.get(id)!.callFrame;
    if (f.functionName === "(idle)" || f.functionName === "(program)" || f.functionName === "(root)")
      continue;
    total += us;
    const name = `${f.functionName || "(anonymous)"} ${where(f.url)}${f.url ? `:${f.lineNumber + 1}` : ""}`;
    frames.set(name, (frames.get(name) ?? 0) + us);
    packages.set(where(f.url), (packages.get(where(f.url)) ?? 0) + us);
  }
  const rank = <K extends string>(m: Map<string, number>, key: K) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(
        ([k, us]) =>
          ({ ms: us / 1000, share: us / total, [key]: k }) as { ms: number; share: number } & {
            [P in K]: string;
          },
      );
  return { totalMs: total / 1000, frames: rank(frames, "frame"), packages: rank(packages, "package") };
}

if (import.meta.main) {
  const USAGE = `usage: node bench/ceiling/profile-top.ts <file.cpuprofile> [N] [--json]
  Prints the self time per package and the top N frames (default 25) of a V8 CPU profile.
  --json      the same as JSON on stdout
  -h, --help  this text`;
  const { values, positionals, fail } = parseCommandLine(
    "profile-top",
    USAGE,
    {},
    { allowPositionals: true },
  );
  const [file = fail("a .cpuprofile file is needed"), n = "25", ...extra] = positionals;
  if (extra.length > 0) fail(`unexpected ${JSON.stringify(extra[0])}`);
  if (!/^[1-9]\d*$/.test(n)) fail(`N wants a whole number of at least 1, got ${JSON.stringify(n)}`);
  const t = top(JSON.parse(readFileSync(file, "utf8")) as Profile, Number(n));
  if (values.json) process.stdout.write(`${JSON.stringify(t, null, 2)}\n`);
  else {
    const pct = (x: number) => `${(x * 100).toFixed(1).padStart(5)} %`;
    process.stdout.write(`self time, non-idle: ${t.totalMs.toFixed(0)} ms\n\nby package:\n`);
    for (const p of t.packages) process.stdout.write(`${pct(p.share)}  ${p.package}\n`);
    process.stdout.write("\ntop frames:\n");
    for (const f of t.frames) process.stdout.write(`${pct(f.share)}  ${f.frame}\n`);
  }
}
