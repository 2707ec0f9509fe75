import { TaxgateError } from '../errors.ts';
import { readOperatorToken } from '../auth/operator-token.ts';
import type { ServerAnnouncement } from '../storage/data-folder.ts';

/**
 * Talks to the taxgate server that holds the data folder, with the operator
 * token from that folder. Used when a CLI command must not open the folder
 * itself (PGlite is single-process).
 */
export class ServerClient {
  constructor(
    readonly server: ServerAnnouncement,
    private readonly token: string,
    private readonly actor: string,
  ) {}

  static async forFolder(
    dataDir: string,
    server: ServerAnnouncement,
    actor: string,
  ): Promise<ServerClient> {
    const token = await readOperatorToken(dataDir);
    if (!token) throw new TaxgateError('OPERATOR_TOKEN_MISSING', `no operator token in ${dataDir}`);
    return new ServerClient(server, token, actor);
  }

  async request<T>(
    method: string,
    path: string,
    body?: { json?: unknown; raw?: Buffer; contentType?: string },
  ): Promise<{ status: number; body: T; text: string }> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.token}`,
      'taxgate-actor': this.actor,
    };
    let payload: string | undefined;
    if (body?.json !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body.json);
    } else if (body?.raw) {
      headers['content-type'] = body.contentType ?? 'application/octet-stream';
      payload = body.raw.toString('utf8');
    }
    let res: Response;
    try {
      res = await fetch(new URL(path, this.server.url), { method, headers, body: payload });
    } catch {
      throw new TaxgateError(
        'SERVER_UNREACHABLE',
        `the taxgate server at ${this.server.url} (pid ${this.server.pid}) holds the data folder but does not answer; if it crashed, its lock expires within a minute`,
      );
    }
    const text = await res.text();
    const isJson = (res.headers.get('content-type') ?? '').includes('json');
    const parsed = isJson && text ? JSON.parse(text) : undefined;
    if (res.status >= 400) {
      const e = (
        parsed as
          | { error?: { code: string; message: string; details?: Record<string, unknown> } }
          | undefined
      )?.error;
      throw new TaxgateError(
        e?.code ?? `HTTP_${res.status}`,
        e?.message ?? `server answered ${res.status}`,
        e?.details,
      );
    }
    return { status: res.status, body: parsed as T, text };
  }
}
