/**
 * An HTTPS test server with the certificate you choose (see `makeCertificates`), optionally
 * requiring a client certificate. The default handler is the httpbin app plus `GET /tls`, which
 * reports what the handshake negotiated and which client certificate was presented.
 *
 *   const certs = await makeCertificates();
 *   const srv = await startTlsServer({ ...certs.valid, ca: certs.ca.cert, requestCert: true });
 */
import type http from 'node:http';
import https from 'node:https';
import type tls from 'node:tls';
import { createHttpbinApp } from '../../core/httpbin/app.ts';
import { listen, type RunningServer } from '../../core/httpbin/server.ts';

export interface TlsServerOptions {
  cert: string | Buffer;
  key: string | Buffer;
  /** CA(s) that client certificates must be signed by. */
  ca?: string | Buffer;
  /** Ask for a client certificate and refuse the handshake without a valid one. */
  requestCert?: boolean;
  handler?: http.RequestListener;
}

/** httpbin plus `GET /tls` → `{ protocol, cipher, authorized, clientCertificate }`. */
export function tlsAwareHttpbin(): http.RequestListener {
  const app = createHttpbinApp();
  return (req, res) => {
    if (req.url?.split('?')[0] !== '/tls') return app(req, res);
    const socket = req.socket as tls.TLSSocket;
    const peer = socket.getPeerCertificate();
    const body = JSON.stringify({
      protocol: socket.getProtocol(),
      cipher: socket.getCipher().name,
      authorized: socket.authorized,
      clientCertificate: peer && 'subject' in peer && peer.subject ? { subject: peer.subject.CN, issuer: peer.issuer?.CN } : null,
    });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  };
}

export async function startTlsServer(opts: TlsServerOptions): Promise<RunningServer> {
  const server = https.createServer(
    {
      cert: opts.cert,
      key: opts.key,
      ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
      requestCert: opts.requestCert ?? false,
      rejectUnauthorized: opts.requestCert ?? false,
    },
    opts.handler ?? tlsAwareHttpbin(),
  );
  server.on('tlsClientError', () => {}); // refused handshakes are what these servers exist to provoke
  return listen(server, 'https');
}
