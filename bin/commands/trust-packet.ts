import { type TrustPacket, trustPacketMarkdown } from '#platform/trust/core/trust-packet.ts';
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

/** The packet as printed: pretty JSON, or the Markdown page. */
export function formatTrustPacket(packet: TrustPacket, markdown: boolean): string {
  return markdown ? trustPacketMarkdown(packet) : `${JSON.stringify(packet, null, 2)}\n`;
}
