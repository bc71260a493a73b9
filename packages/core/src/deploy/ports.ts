/** Which host ports are taken, and picking free ones inside a range. Pure. */
import { PortRangeError } from "./errors";

/**
 * Ports in LISTEN state (tcp) or bound (udp) from /proc/net/{tcp,tcp6,udp,udp6}
 * text: `sl local_address rem_address st …`, local_address = HEXIP:HEXPORT.
 */
export function parseProcNet(text: string, protocol: "tcp" | "udp"): Set<number> {
  const ports = new Set<number>();
  for (const line of text.split("\n")) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 4 || !/^\d+:$/.test(cols[0]!)) continue;
    const port = Number.parseInt(cols[1]!.split(":")[1] ?? "", 16);
    const state = cols[3];
    // 0A = TCP_LISTEN; for udp, 07 (TCP_CLOSE) is a bound socket.
    if (Number.isNaN(port)) continue;
    if ((protocol === "tcp" && state === "0A") || (protocol === "udp" && state === "07")) ports.add(port);
  }
  return ports;
}

/** `count` free ports from `from`-`to`, lowest first, skipping `used`; PortRangeError if too few. */
export function allocatePorts(
  range: { from: number; to: number },
  count: number,
  used: ReadonlySet<number>,
  where: string,
): number[] {
  const picked: number[] = [];
  for (let p = range.from; p <= range.to && picked.length < count; p++) {
    if (!used.has(p)) picked.push(p);
  }
  if (picked.length < count) {
    throw new PortRangeError(
      `port range ${range.from}-${range.to} on ${where} is exhausted: need ${count} free port${count === 1 ? "" : "s"}, found ${picked.length}`,
      { hint: "widen the host port range, lower instances, or lower deploy.keep" },
    );
  }
  return picked;
}
