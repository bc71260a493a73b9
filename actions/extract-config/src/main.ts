import { type ActionContext, readInputs } from "@powertrain/action-kit";
import { NotImplementedError } from "@powertrain/core";

export const inputs = {
  image: { kind: "string", required: true },
  environment: { kind: "string", required: true },
  source: { kind: "string", default: "auto" },
  platform: { kind: "string", default: "linux/amd64" },
  username: { kind: "string" },
  password: { kind: "string", secret: true },
  files: { kind: "list" },
  "files-dir": { kind: "string", default: "powertrain-files" },
} as const;

export async function main(_ctx: ActionContext): Promise<void> {
  readInputs(inputs);
  throw new NotImplementedError("the extract-config action");
}

export async function post(_ctx: ActionContext): Promise<void> {}
