import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SourceData } from '@smithy/types';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

/** The SHA-256 the signer asks for (what @smithy/hash-node does, which is not among this bundle's packages). */
class NodeSha256 {
  private hash: Hash | Hmac;

  private readonly secret: string | Uint8Array | undefined;

  constructor(secret?: SourceData) {
    this.secret = secret === undefined || typeof secret === 'string' ? secret : new Uint8Array(ArrayBuffer.isView(secret) ? secret.buffer.slice(secret.byteOffset, secret.byteOffset + secret.byteLength) : secret);
    this.hash = this.fresh();
  }

  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', this.secret);
  }

  update(data: SourceData): void {
    this.hash.update(typeof data === 'string' ? data : new Uint8Array(ArrayBuffer.isView(data) ? data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) : data));
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }

  reset(): void {
    this.hash = this.fresh();
  }
}

/**
 * The headers of an AppSync Events HTTP publish (`POST https://<api>/event`), signed with Signature V4 for the
 * `appsync` service by the SDK's signer, with the function's role credentials (IAM publish auth).
 */
export async function signAppSyncPublish(request: {
  url: URL; body: string; region: string; credentials: Credentials; now?: Date;
}): Promise<Record<string, string>> {
  const signer = new SignatureV4({ service: 'appsync', region: request.region, credentials: request.credentials, sha256: NodeSha256 });
  const { url } = request;
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: { 'content-type': 'application/json', host: url.host },
    body: request.body,
  }, { signingDate: request.now });
  return signed.headers;
}
