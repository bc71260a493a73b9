import { execFileSync } from "node:child_process";
import { shellCommand } from "../exec/quote";
import { HOSTILE } from "./hostile.fixture";

describe("shellCommand through a real sh -c", () => {
  test.each(HOSTILE.map((s) => [JSON.stringify(s), s]))("%s arrives literally", (_name, value) => {
    // printf %s\0 prints each argument as-is, NUL-terminated, so nothing is lost or added.
    const line = shellCommand(["printf", "%s\\0", value, "after"]);
    const out = execFileSync("sh", ["-c", line], { encoding: "utf8" });
    expect(out).toBe(`${value}\0after\0`);
  });

  test("all of them at once, nested one level deeper (as ssh does)", () => {
    const inner = shellCommand(["printf", "%s\\0", ...HOSTILE]);
    const outer = shellCommand(["sh", "-c", inner]);
    const out = execFileSync("sh", ["-c", outer], { encoding: "utf8" });
    expect(out.split("\0").slice(0, -1)).toEqual(HOSTILE);
  });
});
