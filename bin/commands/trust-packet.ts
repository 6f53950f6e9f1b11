import { type TrustPacket, trustPacketMarkdown } from '#platform/trust/core/trust-packet.ts';
import { trustPacketHtml } from '#platform/trust/core/trust-packet-html.ts';
import { getFromLocalApi } from './local-api.ts';

export interface TrustPacketOptions {
  readonly dataDir: string;
  readonly user: string;
  readonly agentId: string;
}

/** `tollgate trust-packet <agentId>`: GET /agents/{agentId}/trust-packet on the running local stack, as a demo user. */
export async function fetchTrustPacket(options: TrustPacketOptions): Promise<TrustPacket> {
  return getFromLocalApi<TrustPacket>(
    options.dataDir,
    options.user,
    `/agents/${encodeURIComponent(options.agentId)}/trust-packet`,
  );
}

/** The packet as printed: pretty JSON, the Markdown page, or the HTML page. */
export function formatTrustPacket(packet: TrustPacket, format: 'json' | 'markdown' | 'html'): string {
  if (format === 'html') return trustPacketHtml(packet);
  return format === 'markdown' ? trustPacketMarkdown(packet) : `${JSON.stringify(packet, null, 2)}\n`;
}
