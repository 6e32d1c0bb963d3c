// The shape of one fault scenario, and the workload sizes of the CI-sized and the nightly run.

import type { Harness, Size } from "./harness.ts";

export type Outcome = { faults: string; checks?: [string, boolean][] };

export type Scenario = {
  readonly title: string;
  /** Scenarios that stop the broker or the store (dynoxide) get a stack of their own. */
  readonly privateStack?: boolean;
  readonly dynamodbPersistent?: boolean;
  /** Extra broker listeners of the private stack (tools/stack StartOptions): SASL_SSL, proxied. */
  readonly listeners?: { kafkaSaslSsl?: boolean; kafkaProxied?: boolean };
  /** Run in a network namespace of its own (test/faults/net/netns.ts), for iptables partitions. */
  readonly netns?: boolean;
  /** Hard limit of the whole scenario program, per size. */
  readonly limitMs: Record<Size, number>;
  run(h: Harness): Promise<Outcome>;
};

export const SIZES: Record<
  Size,
  { keys: number; changesPerKey: number; partitions: number; bounces: number }
> = {
  ci: { keys: 400, changesPerKey: 4, partitions: 6, bounces: 5 },
  nightly: { keys: 3000, changesPerKey: 6, partitions: 12, bounces: 10 },
};

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Uniform in [min, max), from Math.random: fault timing need not be reproducible, data does. */
export const between = (min: number, max: number): number => min + Math.floor(Math.random() * (max - min));
