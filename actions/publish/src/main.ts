import { type ActionContext, readInputs } from "@powertrain/action-kit";
import { NotImplementedError } from "@powertrain/core";

export const inputs = {
  config: { kind: "string", default: "powertrain.yml" },
  image: { kind: "string", required: true },
  registry: { kind: "string" },
  repository: { kind: "string" },
  version: { kind: "string" },
  tags: { kind: "list" },
  username: { kind: "string" },
  password: { kind: "string", secret: true },
} as const;

export async function main(_ctx: ActionContext): Promise<void> {
  readInputs(inputs);
  throw new NotImplementedError("the publish action");
}

export async function post(_ctx: ActionContext): Promise<void> {}
