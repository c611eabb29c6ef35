import { parseList } from './parse';

/** One Redis Cluster node to connect to first; the client discovers the rest from it. */
export interface RedisNode {
  host: string;
  port: number;
}

/** host:port, the host a name, an IPv4 address or a bracketed IPv6 address. */
const NODE_RE = /^(?:\[([0-9a-f:.]+)\]|([a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?)):(\d{1,5})$/i;

/** The nodes of a REDIS_CLUSTER_NODES value, or null when one entry is not host:port with a port from 1 to 65535. */
export function parseRedisNodes(value: string): RedisNode[] | null {
  const entries = parseList(value);
  if (entries.length === 0) return null;
  const nodes: RedisNode[] = [];
  for (const entry of entries) {
    const match = NODE_RE.exec(entry);
    const port = match ? Number(match[3]) : 0;
    if (!match || port < 1 || port > 65535) return null;
    nodes.push({ host: match[1] ?? match[2], port });
  }
  return nodes;
}
