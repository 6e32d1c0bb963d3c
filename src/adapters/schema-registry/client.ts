// A client for the one call of the Confluent Schema Registry API the sink needs: the schema of an
// id (GET /schemas/ids/{id}, answered by Confluent's registry, Apicurio's /apis/ccompat/v7, Karapace
// and Redpanda alike). Vendor answers become the taxonomy's classes here, once:
//   - 404 (Confluent error 40403, "Schema not found"): transient `schema_not_found`. An id comes from
//     a record a producer wrote after registering it, so the registry knows it or will (a replica
//     catching up, a restored registry); dead-lettering would lose records a retry delivers.
//   - 401/403: fatal `schema_registry_auth` (the deployment's credentials).
//   - network errors, timeouts, 5xx and other answers: transient `schema_registry_unavailable`.

import { request as httpRequest, Agent as HttpAgent } from "node:http";
import { request as httpsRequest, Agent as HttpsAgent } from "node:https";
import { ExitCode, FatalError, PoisonError, TransientError, errorMessage } from "../../core/errors.ts";

export type RegistryOptions = {
  readonly url: string;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  /** PEM texts, already read from their files. */
  readonly ca?: string | undefined;
  readonly cert?: string | undefined;
  readonly key?: string | undefined;
  readonly timeoutMs: number;
};

export type SchemaSource = { schemaText(id: number): Promise<string> };

/** The registry's answer body for an id: `schemaType` is absent for Avro (the API's default). */
type SchemaAnswer = { schema?: unknown; schemaType?: unknown };

/** The registry URL without credentials or trailing slash, for messages. */
function shown(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/$/, "")}`;
}

export class SchemaRegistryClient implements SchemaSource {
  readonly #base: URL;
  readonly #options: RegistryOptions;
  readonly #agent: HttpAgent | HttpsAgent;

  constructor(options: RegistryOptions) {
    this.#options = options;
    this.#base = new URL(options.url.endsWith("/") ? options.url : `${options.url}/`);
    this.#agent =
      this.#base.protocol === "https:"
        ? new HttpsAgent({ keepAlive: true, ca: options.ca, cert: options.cert, key: options.key })
        : new HttpAgent({ keepAlive: true });
  }

  async schemaText(id: number): Promise<string> {
    const url = new URL(`schemas/ids/${id}`, this.#base);
    const where = `schema ${id} from ${shown(this.#base)}`;
    let status: number;
    let body: string;
    try {
      ({ status, body } = await this.#get(url));
    } catch (err) {
      throw new TransientError(
        "schema_registry_unavailable",
        `fetching ${where} failed: ${errorMessage(err)}`,
        { cause: err },
      );
    }
    if (status === 401 || status === 403)
      throw new FatalError(
        "schema_registry_auth",
        `the schema registry refused the credentials (HTTP ${status}) fetching ${where}: check ` +
          `SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD`,
        ExitCode.fatal,
      );
    if (status === 404)
      throw new TransientError(
        "schema_not_found",
        `the registry does not know ${where} (HTTP 404); retrying until it does (is SCHEMA_REGISTRY_URL ` +
          `the registry the producer registered with, with its Confluent-compatible path?)`,
      );
    if (status !== 200)
      throw new TransientError("schema_registry_unavailable", `fetching ${where}: HTTP ${status}`);
    let answer: SchemaAnswer;
    try {
      answer = JSON.parse(body) as SchemaAnswer;
    } catch {
      throw new TransientError("schema_registry_unavailable", `fetching ${where}: the answer is not JSON`);
    }
    if (answer.schemaType !== undefined && answer.schemaType !== "AVRO")
      throw new PoisonError(
        "avro_schema_invalid",
        `${where} is ${JSON.stringify(answer.schemaType)}, not Avro (RECORD_ENCODING=avro reads Avro only)`,
      );
    if (typeof answer.schema !== "string")
      throw new TransientError("schema_registry_unavailable", `fetching ${where}: the answer has no schema`);
    return answer.schema;
  }

  #get(url: URL): Promise<{ status: number; body: string }> {
    const { username, password, timeoutMs } = this.#options;
    const headers: Record<string, string> = {
      Accept: "application/vnd.schemaregistry.v1+json, application/json",
    };
    if (username !== undefined)
      headers["Authorization"] = `Basic ${Buffer.from(`${username}:${password ?? ""}`).toString("base64")}`;
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, { method: "GET", headers, agent: this.#agent, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", reject);
      });
      req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on("error", reject);
      req.end();
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}
