import http from "node:http";
import https from "node:https";
import tls from "node:tls";

/** One HTTP exchange as the live preflight sees it: every header as sent (Set-Cookie may repeat). */
export interface Exchange {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface ProbeOptions {
  /** Extra trusted CA certificates (PEM), for an edge with a private CA (tests, staging). */
  ca?: string | undefined;
  timeoutMs?: number;
}

/**
 * A request with node:http(s) rather than fetch: fetch hides Set-Cookie's repeats and cannot take a
 * CA per request, and follows redirects the checks want to see.
 */
export function request(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } & ProbeOptions = {},
): Promise<Exchange> {
  const target = new URL(url);
  const client = target.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      target,
      {
        method: init.method ?? "GET",
        headers: { "user-agent": "coaching-app-preflight", ...init.headers },
        ...(init.ca ? { ca: init.ca } : {}),
        timeout: init.timeoutMs ?? 10_000,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => {
          if (body.length < 5_000_000) body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer from ${url} within ${init.timeoutMs ?? 10_000} ms`)));
    req.on("error", reject);
    req.end(init.body);
  });
}

export interface CertificateInfo {
  authorized: boolean;
  /** Why the chain or the name did not verify. */
  error: string | undefined;
  subject: string;
  validTo: Date;
}

/** The server's certificate for the URL's host, verified against the system CAs (plus `ca`). */
export function certificate(url: string, options: ProbeOptions = {}): Promise<CertificateInfo> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = tls.connect(
      {
        host: target.hostname,
        port: Number(target.port || 443),
        servername: target.hostname,
        rejectUnauthorized: false,
        ...(options.ca ? { ca: [...tls.rootCertificates, options.ca] } : {}),
        timeout: options.timeoutMs ?? 10_000,
      },
      () => {
        const cert = socket.getPeerCertificate();
        const hostError = tls.checkServerIdentity(target.hostname, cert);
        const error = socket.authorizationError ? String(socket.authorizationError) : hostError?.message;
        socket.end();
        resolve({
          authorized: socket.authorized && !hostError,
          error,
          subject: String(cert.subject?.CN ?? ""),
          validTo: new Date(cert.valid_to),
        });
      },
    );
    socket.on("timeout", () => socket.destroy(new Error(`TLS handshake with ${target.host} timed out`)));
    socket.on("error", reject);
  });
}

/** A header's single value (the first of repeats), lower-cased name. */
export function header(exchange: Exchange, name: string): string | undefined {
  const value = exchange.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
