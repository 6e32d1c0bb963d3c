// The closing counts of node's TAP reporter ("# pass N", "# fail N", ...). The last of each counts: a
// test's own output may hold a nested runner's summary before the outer one.
export type TapCounts = { tests: number; pass: number; fail: number; skipped: number; cancelled: number };

export function tapCounts(text: string): TapCounts {
  const last = (name: string): number => {
    const all = [...text.matchAll(new RegExp(`^# ${name} (\\d+)\\s*$`, "gm"))];
    const hit = all.at(-1);
    return hit === undefined ? 0 : Number(hit[1]);
  };
  return {
    tests: last("tests"),
    pass: last("pass"),
    fail: last("fail"),
    skipped: last("skipped"),
    cancelled: last("cancelled"),
  };
}
