import type { Cluster } from 'ioredis';
import type { RedisClient } from './redis.factory';

/** CRC16-CCITT (XMODEM), as Redis Cluster hashes keys. */
const CRC16_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[byte] = crc;
  }
  return table;
})();

function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ byte) & 0xff];
  return crc;
}

/**
 * The Redis Cluster slot (0-16383) of `key`: of its hash tag (what lies between the first `{`
 * and the next `}`, when not empty), else of the whole key.
 */
export function keySlot(key: string): number {
  const open = key.indexOf('{');
  if (open !== -1) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) key = key.slice(open + 1, close);
  }
  return crc16(Buffer.from(key, 'utf8')) % 16384;
}

/**
 * Which part of Redis holds `key`: `redis` for a single Redis; in a cluster, the master
 * (`host:port`) that serves the key's slot as the client last learnt it.
 */
export function redisPartOf(client: RedisClient, key: string): string {
  if (!isCluster(client)) return 'redis';
  const slot = keySlot(key);
  return client.slots[slot]?.[0] ?? `slot ${slot}`;
}

/** The masters (`host:port`) that serve at least one slot, as the client last learnt them. */
export function clusterMasters(client: Cluster): Set<string> {
  const masters = new Set<string>();
  for (const nodes of client.slots) if (nodes?.[0]) masters.add(nodes[0]);
  return masters;
}

export function isCluster(client: RedisClient): client is Cluster {
  return client.isCluster;
}
