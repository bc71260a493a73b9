import { type ActionContext, readInputs } from "@powertrain/action-kit";
import { NotImplementedError } from "@powertrain/core";

export const inputs = {
  config: { kind: "string", default: "powertrain.yml" },
  context: { kind: "string" },
  dockerfile: { kind: "string" },
  target: { kind: "string" },
  "test-target": { kind: "string" },
  "build-args": { kind: "map" },
  environment: { kind: "string" },
  summary: { kind: "boolean", default: true },
} as const;

export async function main(_ctx: ActionContext): Promise<void> {
  readInputs(inputs);
  throw new NotImplementedError("the build action");
}

export async function post(_ctx: ActionContext): Promise<void> {}
