/** Container labels and names: how powertrain finds its own containers again. */
import { randomBytes } from "node:crypto";
import { shortDigest } from "../image/reference";

export const LABEL = {
  app: "dev.powertrain.app",
  environment: "dev.powertrain.environment",
  version: "dev.powertrain.version",
  digest: "dev.powertrain.digest",
  image: "dev.powertrain.image",
  deployId: "dev.powertrain.deploy-id",
  /** The host name the container was deployed through. */
  host: "dev.powertrain.host",
  /** host:port:app:version, for service discovery. */
  discovery: "dev.powertrain.discovery",
} as const;

/** `<app>-<env>-<short digest>-<i>-<random>`: unique, sortable by eye, valid for docker. */
export function containerName(app: string, environment: string, digest: string, index: number): string {
  return `${app}-${environment}-${shortDigest(digest)}-${index}-${randomBytes(3).toString("hex")}`;
}

/** A deploy id: time-ordered and unique enough across runners. */
export function newDeployId(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `${stamp}-${randomBytes(3).toString("hex")}`;
}
