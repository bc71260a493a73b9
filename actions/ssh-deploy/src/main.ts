import { type ActionContext, readInputs } from "@powertrain/action-kit";
import { NotImplementedError } from "@powertrain/core";

export const inputs = {
  image: { kind: "string", required: true },
  config: { kind: "string" },
  "config-file": { kind: "string" },
  environment: { kind: "string", required: true },
  hosts: { kind: "list" },
  instances: { kind: "integer", min: 1 },
  "max-parallel": { kind: "integer", min: 1 },
  "ssh-key": { kind: "string", secret: true },
  "known-hosts": { kind: "string" },
  "insecure-ignore-host-key": { kind: "boolean", default: false },
  "registry-username": { kind: "string" },
  "registry-password": { kind: "string", secret: true },
  "dry-run": { kind: "boolean", default: false },
} as const;

export async function main(_ctx: ActionContext): Promise<void> {
  readInputs(inputs);
  throw new NotImplementedError("the ssh-deploy action");
}

export async function post(_ctx: ActionContext): Promise<void> {}
