import { type TrustPacket, trustPacketMarkdown } from '#platform/trust/core/trust-packet.ts';
import { issueDevToken, loadOrCreateSigningKey } from '../../local/dev-identity.ts';
import { readRuntime } from '../../local/local-stack.ts';

export interface TrustPacketOptions {
  readonly dataDir: string;
  readonly user: string;
  readonly agentId: string;
}

/** `tollgate trust-packet <agentId>`: GET /agents/{agentId}/trust-packet on the running local stack, as a demo user. */
export async function fetchTrustPacket(options: TrustPacketOptions): Promise<TrustPacket> {
  const runtime = readRuntime(options.dataDir);
  if (!runtime) {
    throw Object.assign(
      new Error(`No local stack runs on ${options.dataDir}. Start it with \`npm run local\`.`),
      { code: 'NOT_RUNNING' },
    );
  }
  const token = issueDevToken(loadOrCreateSigningKey(options.dataDir), options.user);
  const url = `${runtime.endpoints.api}/agents/${encodeURIComponent(options.agentId)}/trust-packet`;
  let response: Response;
  try {
    response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  } catch {
    throw Object.assign(
      new Error(
        `The local API at ${runtime.endpoints.api} does not answer. Is \`npm run local\` still running?`,
      ),
      { code: 'NOT_RUNNING' },
    );
  }
  const body = (await response.json()) as TrustPacket & { error?: { code: string; message: string } };
  if (!response.ok || body.error) {
    throw Object.assign(new Error(body.error?.message ?? `GET ${url} answered ${response.status}.`), {
      code: body.error?.code ?? 'INTERNAL',
    });
  }
  return body;
}

/** The packet as printed: pretty JSON, or the Markdown page. */
export function formatTrustPacket(packet: TrustPacket, markdown: boolean): string {
  return markdown ? trustPacketMarkdown(packet) : `${JSON.stringify(packet, null, 2)}\n`;
}
