import { createHash, createHmac } from 'node:crypto';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SignInput {
  method: string;
  /** Path-style or virtual-host URL of the object. */
  url: URL;
  /** Headers to sign besides host, x-amz-date and x-amz-content-sha256 (names any case). */
  headers?: Record<string, string>;
  /** Hex SHA-256 of the body (`e3b0…b855` for none). */
  payloadHash: string;
  region: string;
  credentials: S3Credentials;
  /** `YYYYMMDDTHHMMSSZ`. */
  amzDate: string;
  service?: string;
}

export const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
export const EMPTY_PAYLOAD_HASH = sha256Hex('');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** RFC 3986 encoding as AWS wants it: unreserved characters kept, '/' kept in paths. */
export function awsUriEncode(s: string, keepSlash: boolean): string {
  return [...Buffer.from(s, 'utf8')]
    .map((b) => {
      const c = String.fromCharCode(b);
      if (/[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === '/')) return c;
      return `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

/**
 * AWS Signature Version 4 for one S3 request: returns the headers to send (Authorization, x-amz-date,
 * x-amz-content-sha256 and the session token when there is one). Canonical request, string to sign and
 * signing key as the AWS S3 API reference defines them ("Signature Calculations for the Authorization
 * Header: Transferring Payload in a Single Chunk").
 */
export function signS3Request(s: SignInput): Record<string, string> {
  const service = s.service ?? 's3';
  const date = s.amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    host: s.url.host,
    'x-amz-date': s.amzDate,
    'x-amz-content-sha256': s.payloadHash,
    ...(s.credentials.sessionToken ? { 'x-amz-security-token': s.credentials.sessionToken } : {}),
  };
  for (const [k, v] of Object.entries(s.headers ?? {})) headers[k.toLowerCase()] = v;
  const names = Object.keys(headers).sort();
  const canonicalHeaders = names.map((n) => `${n}:${headers[n].trim().replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = names.join(';');
  const query = [...s.url.searchParams]
    .map(([k, v]) => [awsUriEncode(k, false), awsUriEncode(v, false)])
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const path = awsUriEncode(decodeURIComponent(s.url.pathname), true);
  const canonicalRequest = [s.method, path, query, canonicalHeaders, signedHeaders, s.payloadHash].join('\n');
  const scope = `${date}/${s.region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', s.amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${s.credentials.secretAccessKey}`, date), s.region), service), 'aws4_request');
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex');
  const { host: _host, ...send } = headers;
  return {
    ...send,
    authorization: `AWS4-HMAC-SHA256 Credential=${s.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}
