/** Removing containers on a host (plain docker commands every operation shares). */
import type { RemoteHost } from "../ssh/session";

export async function removeContainers(host: RemoteHost, names: string[]): Promise<void> {
  if (names.length === 0) return;
  await host.run(["docker", "rm", "-f", "-v", ...names], { allowFailure: true });
}
