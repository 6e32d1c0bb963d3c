// A client certificate and key for mutual TLS, checked at start-up: a wrong pair would otherwise
// surface only as a failed handshake (or, with a key that does not match, as an OpenSSL error
// inside kafkajs) after the service began connecting.

import { X509Certificate, createPrivateKey } from "node:crypto";

/**
 * Why `cert` and `key` (PEM text) cannot be used as a client identity, or undefined when they
 * can. Each problem names the variable to fix; `now` is for the expiry check.
 */
export function clientPairProblem(
  names: { cert: string; key: string },
  cert: string,
  key: string,
  now = new Date(),
): string | undefined {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    return `${names.cert} holds no PEM certificate`;
  }
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    // An encrypted key needs a passphrase, which the sink never takes: Node would ask for it.
    return `${names.key} holds no unencrypted PEM private key`;
  }
  if (!x509.checkPrivateKey(privateKey))
    return `${names.key} is not the key of the certificate in ${names.cert} (${x509.subject})`;
  if (new Date(x509.validTo) < now)
    return `the certificate in ${names.cert} (${x509.subject}) expired on ${x509.validTo}`;
  return undefined;
}
