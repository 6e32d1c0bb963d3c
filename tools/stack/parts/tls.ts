// TLS material for the broker's TLS listeners: a throw-away CA made by the stack, a server
// certificate it signs for 127.0.0.1 and localhost, a PKCS#12 keystore the broker reads, and for
// the mutual-TLS listener a client certificate the same CA signs. Made
// with openssl; nothing leaves the stack's folder (the keystore password goes through the
// environment, not the command line, where `ps` would show it).

import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { StackError } from "../errors.ts";
import { runToEnd } from "../process.ts";

export type CaFiles = { cert: string; key: string };
export type ServerTls = { ca: string; keystore: string; keystorePassword: string };

async function openssl(
  args: string[],
  cwd: string,
  logFile: string,
  env?: Record<string, string>,
): Promise<void> {
  const code = await runToEnd({ cmd: "openssl", args, cwd, logFile, ...(env === undefined ? {} : { env }) });
  if (code === 127)
    throw new StackError(
      "openssl not found on PATH: install it (apt-get install openssl) for --kafka-sasl-ssl/--kafka-mtls",
    );
  if (code !== 0) throw new StackError(`openssl ${args[0]} failed (exit ${code}): see ${logFile}`);
}

/** A self-signed CA in `dir` (`<name>.pem`, `<name>.key`); kept when it exists already. */
export async function makeCa(dir: string, name: string, logFile: string): Promise<CaFiles> {
  mkdirSync(dir, { recursive: true });
  const files = { cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`) };
  if (existsSync(files.cert) && existsSync(files.key)) return files;
  await openssl(
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-sha256",
      "-days",
      "30",
      "-keyout",
      files.key,
      "-out",
      files.cert,
      "-subj",
      `/CN=cdc-sink stack ${name}`,
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ],
    dir,
    logFile,
  );
  return files;
}

/**
 * A new RSA key (`<base>.key`, unencrypted PEM) and its certificate (`<base>.pem`) for `subject`,
 * signed by `ca` for 30 days with `extensions` (an openssl extfile, `<base>.ext`): the request
 * (`<base>.csr`) first, then the CA's signature.
 */
async function signedCert(
  dir: string,
  base: string,
  subject: string,
  extensions: string,
  ca: CaFiles,
  logFile: string,
): Promise<{ cert: string; key: string }> {
  const path = (suffix: string): string => join(dir, `${base}.${suffix}`);
  const [key, csr, cert, ext] = [path("key"), path("csr"), path("pem"), path("ext")];
  writeFileSync(ext, extensions);
  await openssl(
    ["req", "-newkey", "rsa:2048", "-nodes", "-sha256", "-keyout", key, "-out", csr, "-subj", subject],
    dir,
    logFile,
  );
  await openssl(
    [
      "x509",
      "-req",
      "-sha256",
      "-days",
      "30",
      "-in",
      csr,
      "-CA",
      ca.cert,
      "-CAkey",
      ca.key,
      "-CAcreateserial",
      "-out",
      cert,
      "-extfile",
      ext,
    ],
    dir,
    logFile,
  );
  return { cert, key };
}

/**
 * The broker's certificate, signed by the stack's CA. Clients connect to 127.0.0.1 and verify the
 * host against the certificate (kafkajs leaves Node's default identity check on), so the IP
 * address is a subjectAltName; localhost too, for clients configured with the name.
 */
export async function makeServerTls(dir: string, password: string, logFile: string): Promise<ServerTls> {
  const ca = await makeCa(dir, "ca", logFile);
  const keystore = join(dir, "server.p12");
  if (existsSync(keystore)) return { ca: ca.cert, keystore, keystorePassword: password };
  const { cert, key } = await signedCert(
    dir,
    "server",
    "/CN=localhost",
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n" +
      "keyUsage=critical,digitalSignature,keyEncipherment\n",
    ca,
    logFile,
  );
  await openssl(
    [
      "pkcs12",
      "-export",
      "-in",
      cert,
      "-inkey",
      key,
      "-certfile",
      ca.cert,
      "-name",
      "kafka",
      "-out",
      keystore,
      "-passout",
      "env:KEYSTORE_PASSWORD",
    ],
    dir,
    logFile,
    {
      KEYSTORE_PASSWORD: password,
    },
  );
  return { ca: ca.cert, keystore, keystorePassword: password };
}

/**
 * A client certificate signed by `ca` (the stack's, or in a test another CA the broker does not
 * trust), with its unencrypted PEM key, for mutual TLS: extendedKeyUsage clientAuth, as a broker's
 * JSSE checks on a client certificate. The subject becomes the Kafka principal (`User:CN=...`).
 */
export async function makeClientCert(
  dir: string,
  name: string,
  ca: CaFiles,
  logFile: string,
): Promise<{ cert: string; key: string }> {
  mkdirSync(dir, { recursive: true });
  const files = { cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`) };
  if (existsSync(files.cert) && existsSync(files.key)) return files;
  return signedCert(
    dir,
    name,
    `/CN=${name}`,
    "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n",
    ca,
    logFile,
  );
}
