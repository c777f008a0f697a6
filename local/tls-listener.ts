import { connect, type AddressInfo } from 'node:net';
import { createServer, type TLSSocket } from 'node:tls';
import { generate } from 'selfsigned';

/**
 * `https://` and `wss://` in front of the local gateway: AppSync Events' clients (Amplify's `events`) only speak
 * `wss://`. Each TLS connection is piped to the gateway's plain port, so the gateway, and the feed process it
 * hands WebSocket upgrades to (the socket over IPC, which a TLS socket's state could not cross), see an ordinary
 * TCP connection. The certificate is self-signed, made at start for `localhost` and 127.0.0.1 (the `selfsigned`
 * package: node:crypto makes keys, not X.509 certificates); a client trusts it with NODE_EXTRA_CA_CERTS or its
 * own `ca` option.
 */
export interface TlsListener {
  /** `https://localhost:<port>`. */
  url: string;
  /** The certificate (PEM) a client trusts. */
  cert: string;
  close(): Promise<void>;
}

export async function startTlsListener(options: { targetPort: number; port?: number }): Promise<TlsListener> {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    notAfterDate: new Date(Date.now() + 7 * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  });
  const open = new Set<TLSSocket>();
  const server = createServer({ key: pems.private, cert: pems.cert }, (client) => {
    open.add(client);
    const upstream = connect(options.targetPort, '127.0.0.1');
    upstream.setNoDelay(true);
    client.setNoDelay(true);
    const end = () => { client.destroy(); upstream.destroy(); open.delete(client); };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream).pipe(client);
  });
  // A client that gives up during the TLS handshake (or does not trust the certificate) is no error of ours.
  server.on('tlsClientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  return {
    url: `https://localhost:${(server.address() as AddressInfo).port}`,
    cert: pems.cert,
    close: () => new Promise<void>((resolve) => {
      for (const socket of open) socket.destroy();
      server.close(() => resolve());
    }),
  };
}
