#!/usr/bin/env node
// `cdc-sink` entry point. ESM loads and links a module's whole static import graph before running
// any of it (a second or more for the AWS SDK and kafkajs on a busy node), so the stop-signal
// catcher is installed first and the commands are loaded after it: a SIGTERM that arrives while the
// process starts becomes a clean stop, not a kill with no exit code.
import "./signals.ts";

await import("./commands.ts");
