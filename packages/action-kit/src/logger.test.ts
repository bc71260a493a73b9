import { actionsLogger, commandSafe } from "./logger";

describe("commandSafe", () => {
  test.each([
    ["plain text", "Step 3/7 : RUN npm ci"],
    ["a single colon", "tests: 10 passed"],
    ["empty", ""],
  ])("%s passes unchanged", (_name, text) => {
    expect(commandSafe(text, "tok")).toBe(text);
  });

  test.each([
    ["set-output", "::set-output name=image::evil"],
    ["add-mask (hides the log)", "::add-mask::a"],
    ["indented", "   ::error file=x::forged annotation"],
    ["legacy ##[ form", "##[set-output name=x;]y"],
    ["a second line", "ok\n::add-path::/tmp/evil"],
    ["an attempt to stop commands itself", "::stop-commands::other"],
    ["an IPv6 address (harmless, wrapped anyway)", "listening on [::1]:8080"],
  ])("%s is wrapped in stop-commands", (_name, text) => {
    expect(commandSafe(text, "tok")).toBe(`::stop-commands::tok\n${text}\n::tok::`);
  });

  test("text that holds the token gets another one", () => {
    const out = commandSafe("::tok:: ::set-output name=a::b", "tok");
    const token = /^::stop-commands::(.+)\n/.exec(out)?.[1];
    expect(token).toMatch(/^pt-[0-9a-f]{32}$/);
    expect(out).toBe(`::stop-commands::${token}\n::tok:: ::set-output name=a::b\n::${token}::`);
  });

  test("a fresh random token each time", () => {
    const tokens = new Set(Array.from({ length: 20 }, () => commandSafe("::x::")));
    expect(tokens.size).toBe(20);
  });
});

test("actionsLogger.info writes command-like text inside stop-commands", () => {
  const written: string[] = [];
  const spy = jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    actionsLogger.info("::set-output name=x::y");
    actionsLogger.info("plain");
  } finally {
    spy.mockRestore();
  }
  const lines = written.join("").split("\n");
  expect(lines[0]).toMatch(/^::stop-commands::pt-[0-9a-f]{32}$/);
  expect(lines.slice(1, 4)).toEqual(["::set-output name=x::y", `::${lines[0]!.slice(17)}::`, "plain"]);
});
