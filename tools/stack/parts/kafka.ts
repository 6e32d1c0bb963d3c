import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { StackError } from "../errors.ts";
import { runToEnd } from "../process.ts";
import { logFile, partDir, type StackState } from "../state.ts";
import { javaArgs, writeProperties, type Part } from "./part.ts";

function classPath(state: StackState): string {
  if (state.jars.kafka === undefined) throw new StackError("kafka jars not fetched");
  return join(state.jars.kafka, "*");
}

/** A single KRaft node acting as broker and controller, as Kafka's own quickstart runs it. */
export const kafkaPart: Part = {
  name: "kafka",
  stopSignal: "SIGTERM",
  readyTimeoutMs: 90_000,

  async prepare(state) {
    const home = partDir(state.dir, "kafka");
    mkdirSync(join(home, "data"), { recursive: true });
    const { kafka: port, controller } = state.ports;
    writeProperties(join(home, "server.properties"), {
      "process.roles": "broker,controller",
      "node.id": 1,
      "controller.quorum.voters": `1@127.0.0.1:${controller}`,
      listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controller}`,
      "advertised.listeners": `PLAINTEXT://127.0.0.1:${port}`,
      "controller.listener.names": "CONTROLLER",
      "inter.broker.listener.name": "PLAINTEXT",
      "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
      "log.dirs": join(home, "data"),
      // The product must create its topics itself; a typo must not conjure a topic.
      "auto.create.topics.enable": false,
      "num.partitions": 1,
      // One broker: internal topics cannot have more replicas than brokers.
      "offsets.topic.replication.factor": 1,
      "transaction.state.log.replication.factor": 1,
      "transaction.state.log.min.isr": 1,
      // Tests join groups constantly; the default 3 s delay would only slow every join.
      "group.initial.rebalance.delay.ms": 0,
    });
    if (existsSync(join(home, "data", "meta.properties"))) return;
    const code = await runToEnd({
      cmd: "java",
      args: [
        ...javaArgs(state.dir, "kafka", "256m"),
        "-cp",
        classPath(state),
        "kafka.tools.StorageTool",
        "format",
        "--ignore-formatted",
        "-t",
        state.clusterId,
        "-c",
        join(home, "server.properties"),
      ],
      cwd: home,
      logFile: logFile(state.dir, "kafka"),
    });
    if (code !== 0) {
      throw new StackError(
        `formatting Kafka's storage failed (exit ${code}): see ${logFile(state.dir, "kafka")}`,
      );
    }
  },

  command(state) {
    const home = partDir(state.dir, "kafka");
    return {
      cmd: "java",
      args: [
        ...javaArgs(state.dir, "kafka", "1g"),
        "-cp",
        classPath(state),
        "kafka.Kafka",
        join(home, "server.properties"),
      ],
      cwd: home,
      logFile: logFile(state.dir, "kafka"),
    };
  },

  async probe(state) {
    const kafka = new Kafka({
      clientId: "cdc-sink-stack-probe",
      brokers: [`127.0.0.1:${state.ports.kafka}`],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 2_000,
      requestTimeout: 5_000,
      retry: { retries: 0 },
    });
    const admin = kafka.admin();
    try {
      await admin.connect();
      // A metadata round trip that lists this broker means it is registered and unfenced.
      const cluster = await admin.describeCluster();
      if (cluster.brokers.length === 0) throw new Error("metadata lists no broker yet");
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  },
};
