import { sshArgs } from "./args";
import { describeTarget, parseHostSpec } from "./target";

const base = { controlPath: "/tmp/x/c0", connectTimeoutSeconds: 7, controlPersistSeconds: 600 };

describe("parseHostSpec", () => {
  test.each([
    ["host", { host: "host" }],
    ["deploy@10.0.0.1", { host: "10.0.0.1", user: "deploy" }],
    ["deploy@web-1.example.com:2222", { host: "web-1.example.com", user: "deploy", port: 2222 }],
    ["[::1]:22", { host: "::1", port: 22 }],
  ])("%s", (spec, expected) => {
    expect(parseHostSpec(spec)).toEqual(expected);
  });

  test.each(["", "a b", "-oProxyCommand=x", "host:99999", "u@h@x"])("rejects %j", (spec) => {
    expect(() => parseHostSpec(spec)).toThrow(/host/);
  });

  test("describeTarget round-trips", () => {
    expect(describeTarget(parseHostSpec("u@h:22"))).toBe("u@h:22");
  });
});

describe("sshArgs", () => {
  test.each([
    [{}, "StrictHostKeyChecking=yes"],
    [{ insecureIgnoreHostKey: true }, "StrictHostKeyChecking=no"],
  ])("host key checking %j", (extra, expected) => {
    expect(sshArgs({ host: "h" }, { ...base, ...extra })).toContain(expected);
  });

  test("never prompts, multiplexes, times out", () => {
    const args = sshArgs({ host: "h" }, base);
    expect(args).toEqual(expect.arrayContaining(["BatchMode=yes", "ConnectTimeout=7", "ControlMaster=auto"]));
    expect(args).toContain("ControlPath=/tmp/x/c0");
  });

  test("target last, options before it", () => {
    const args = sshArgs(
      { host: "h", user: "u", port: 2222, jump: "bastion" },
      { ...base, identityFile: "/k", knownHostsFile: "/kh" },
    );
    expect(args.slice(-9)).toEqual(["-i", "/k", "-J", "bastion", "-p", "2222", "-l", "u", "h"]);
    expect(args).toContain("UserKnownHostsFile=/kh");
  });
});
