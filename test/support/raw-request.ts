import { request } from 'node:http';

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON; throws naming the text when it is not. */
  json(): unknown;
}

/**
 * One HTTP request sent as given, through node:http rather than fetch: fetch refuses methods
 * such as TRACE, and sets Content-Encoding and Content-Length itself.
 */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const sent = request(
      {
        host: target.hostname,
        port: target.port,
        // As given: URL would re-encode nothing here, so broken escapes and %00 go out as they are.
        path: url.slice(target.origin.length),
        method: options.method ?? 'GET',
        headers: options.headers,
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text,
            json: () => {
              try {
                return JSON.parse(text);
              } catch {
                throw new Error(`the answer is not JSON: ${text}`);
              }
            },
          }),
        );
      },
    );
    sent.on('error', reject);
    sent.end(options.body);
  });
}
