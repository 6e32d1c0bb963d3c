// Imported first by the CLI, so it is evaluated before the heavy modules load: a SIGTERM that
// arrives while the process is still starting (an orchestrator scaling down at once) is held
// and honoured as a clean stop instead of killing the process mid-start with no exit code.

type Listener = (signal: NodeJS.Signals) => void;

let pending: NodeJS.Signals | undefined;
let listener: Listener | undefined;

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (listener !== undefined) listener(signal);
    else pending ??= signal;
  });
}

/** Routes signals to `l` from now on; a signal that came earlier is delivered at once. */
export function onStopSignal(l: Listener): void {
  listener = l;
  if (pending !== undefined) l(pending);
}

/** For commands without a graceful stop: a signal ends the process as it would by default. */
export function defaultSignals(): void {
  onStopSignal((signal) => process.exit(signal === "SIGINT" ? 130 : 143));
}
