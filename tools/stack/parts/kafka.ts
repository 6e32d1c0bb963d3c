import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { Kafka, logLevel, type KafkaConfig } from "kafkajs";
import { StackError } from "../errors.ts";
import { runToEnd } from "../process.ts";
import { kafkaTlsFiles, logFile, partDir, type StackState } from "../state.ts";
import { javaArgs, writeProperties, type Part } from "./part.ts";
import { makeCa, makeClientCert, makeServerTls } from "./tls.ts";

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
    const { controller } = state.ports;
    const { saslSsl, mtls } = state.kafkaListeners ?? {};
    const tls = kafkaTlsFiles(state.dir);
    const keystorePassword = saslSsl?.keystorePassword ?? mtls?.keystorePassword;
    if (keystorePassword !== undefined)
      await makeServerTls(tls.dir, keystorePassword, logFile(state.dir, "kafka"));
    if (mtls !== undefined) {
      const ca = await makeCa(tls.dir, "ca", logFile(state.dir, "kafka"));
      await makeClientCert(tls.dir, "client", ca, logFile(state.dir, "kafka"));
    }
    const listeners = listenersOf(state);
    writeProperties(join(home, "server.properties"), {
      "process.roles": "broker,controller",
      "node.id": 1,
      "controller.quorum.voters": `1@127.0.0.1:${controller}`,
      listeners: listeners.map((l) => `${l.name}://127.0.0.1:${l.port}`).join(","),
      "advertised.listeners": listeners
        .filter((l) => l.name !== "CONTROLLER")
        .map((l) => `${l.name}://127.0.0.1:${l.advertised ?? l.port}`)
        .join(","),
      "controller.listener.names": "CONTROLLER",
      "inter.broker.listener.name": "PLAINTEXT",
      "listener.security.protocol.map": listeners.map((l) => `${l.name}:${l.protocol}`).join(","),
      ...(saslSsl === undefined ? {} : saslSslProperties(state, saslSsl.keystorePassword)),
      ...(mtls === undefined ? {} : mtlsProperties(state, mtls.keystorePassword)),
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
        // KRaft keeps SCRAM credentials in the metadata log; format writes the first ones (KIP-900).
        ...(saslSsl === undefined
          ? []
          : ["--add-scram", `SCRAM-SHA-512=[name=${saslSsl.username},password=${saslSsl.password}]`]),
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
    await probeMetadata({ brokers: [`127.0.0.1:${state.ports.kafka}`] });
    const { saslSsl, proxied, mtls } = state.kafkaListeners ?? {};
    // Same round trip through SASL_SSL: proves the keystore, the CA and the SCRAM user together.
    if (saslSsl !== undefined) {
      await probeMetadata({
        brokers: [`127.0.0.1:${state.ports.kafkaSaslSsl}`],
        ssl: { ca: [readFileSync(kafkaTlsFiles(state.dir).ca, "utf8")], rejectUnauthorized: true },
        sasl: { mechanism: "scram-sha-512", username: saslSsl.username, password: saslSsl.password },
      });
    }
    // And through the mutual-TLS listener with the stack's client certificate.
    if (mtls !== undefined) {
      const tls = kafkaTlsFiles(state.dir);
      await probeMetadata({
        brokers: [`127.0.0.1:${state.ports.kafkaMtls}`],
        ssl: {
          ca: [readFileSync(tls.ca, "utf8")],
          cert: readFileSync(tls.clientCert, "utf8"),
          key: readFileSync(tls.clientKey, "utf8"),
          rejectUnauthorized: true,
        },
      });
    }
    // Nothing listens on the advertised port until a test starts its proxy: a TCP accept will do.
    if (proxied === true) await tcpAccepts(state.ports.kafkaProxied ?? 0);
  },
};

type Listener = { name: string; protocol: string; port: number | undefined; advertised?: number | undefined };

function listenersOf(state: StackState): Listener[] {
  const { ports } = state;
  const { saslSsl, proxied, mtls } = state.kafkaListeners ?? {};
  return [
    { name: "PLAINTEXT", protocol: "PLAINTEXT", port: ports.kafka },
    { name: "CONTROLLER", protocol: "PLAINTEXT", port: ports.controller },
    ...(saslSsl === undefined ? [] : [{ name: "SASL_SSL", protocol: "SASL_SSL", port: ports.kafkaSaslSsl }]),
    ...(mtls === undefined ? [] : [{ name: "MTLS", protocol: "SSL", port: ports.kafkaMtls }]),
    // Metadata answers each listener with its own advertised address, so a client that bootstraps
    // through the proxy is sent back to the proxy for every broker connection too.
    ...(proxied === true
      ? [{ name: "PROXIED", protocol: "PLAINTEXT", port: ports.kafkaProxied, advertised: ports.kafkaProxy }]
      : []),
  ];
}

/** SCRAM-SHA-512 only on the SASL_SSL listener; the plaintext listeners stay open for the other tests. */
function saslSslProperties(state: StackState, keystorePassword: string): Record<string, string> {
  const prefix = "listener.name.sasl_ssl";
  return {
    [`${prefix}.sasl.enabled.mechanisms`]: "SCRAM-SHA-512",
    [`${prefix}.scram-sha-512.sasl.jaas.config`]:
      "org.apache.kafka.common.security.scram.ScramLoginModule required;",
    [`${prefix}.ssl.keystore.type`]: "PKCS12",
    [`${prefix}.ssl.keystore.location`]: kafkaTlsFiles(state.dir).keystore,
    [`${prefix}.ssl.keystore.password`]: keystorePassword,
    [`${prefix}.ssl.key.password`]: keystorePassword,
    [`${prefix}.ssl.client.auth`]: "none",
  };
}

/**
 * TLS that requires a client certificate signed by the stack's CA (a PEM truststore, KIP-651). With
 * protocol SSL the principal is the certificate's subject; the broker has no authorizer, so any
 * such principal may read and write.
 */
function mtlsProperties(state: StackState, keystorePassword: string): Record<string, string> {
  const prefix = "listener.name.mtls";
  const tls = kafkaTlsFiles(state.dir);
  return {
    [`${prefix}.ssl.keystore.type`]: "PKCS12",
    [`${prefix}.ssl.keystore.location`]: tls.keystore,
    [`${prefix}.ssl.keystore.password`]: keystorePassword,
    [`${prefix}.ssl.key.password`]: keystorePassword,
    [`${prefix}.ssl.truststore.type`]: "PEM",
    [`${prefix}.ssl.truststore.location`]: tls.ca,
    [`${prefix}.ssl.client.auth`]: "required",
  };
}

async function probeMetadata(config: Pick<KafkaConfig, "brokers" | "ssl" | "sasl">): Promise<void> {
  const kafka = new Kafka({
    clientId: "cdc-sink-stack-probe",
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2_000,
    requestTimeout: 5_000,
    retry: { retries: 0 },
    ...config,
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
}

function tcpAccepts(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port, timeout: 2_000 });
    socket.once("connect", () => {
      socket.destroy();
      resolve();
    });
    socket.once("timeout", () => socket.destroy(new Error(`no answer on 127.0.0.1:${port}`)));
    socket.once("error", reject);
  });
}
