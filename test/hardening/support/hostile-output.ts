/**
 * Run by the workflow-commands test as a workflow step under act: a command whose output carries
 * workflow commands, streamed through core's exec wrapper into the actions' logger — the path
 * docker build and remote-script output take in every action.
 */
import { actionsLogger } from "../../../packages/action-kit/src/logger";
import { exec } from "../../../packages/core/src/exec/exec";

const hostile = [
  "::set-output name=pwned::from-the-image",
  "  ::set-output name=indented::also",
  "##[set-output name=legacy;]too",
  "a line of ordinary build output",
];

async function main(): Promise<void> {
  await exec("printf", ["%s\\n", ...hostile], { stream: true, logger: actionsLogger });
  // Our own command afterwards still works: the pause ended.
  process.stdout.write("::set-output name=ours::still-works\n");
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
