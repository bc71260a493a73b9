import { parseJumps, proxyCommand, type SshArgsOptions, sshArgs } from "./args";
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

  test("target last, after --, options before it", () => {
    const args = sshArgs(
      { host: "h", user: "u", port: 2222, jump: "bastion" },
      { ...base, identityFile: "/k", knownHostsFile: "/kh" },
    );
    expect(args.slice(-6)).toEqual(["-p", "2222", "-l", "u", "--", "h"]);
    expect(args.slice(-10, -8)).toEqual(["-i", "/k"]);
    expect(args[args.length - 7]).toMatch(/^ProxyCommand=ssh /);
    expect(args).toContain("UserKnownHostsFile=/kh");
    expect(args).not.toContain("-J");
  });
});

describe("jump hosts", () => {
  const checked =
    "-o BatchMode=yes -o ConnectTimeout=7 -o ServerAliveInterval=15 -o ServerAliveCountMax=3 -o LogLevel=ERROR";
  test.each<[string, Partial<SshArgsOptions>, string]>([
    [
      "bastion",
      { knownHostsFile: "/kh", identityFile: "/k" },
      `ssh ${checked} -o StrictHostKeyChecking=yes -o UserKnownHostsFile=/kh -i /k -W '[%h]:%p' -- bastion`,
    ],
    [
      "ops@bastion:2200",
      { insecureIgnoreHostKey: true },
      `ssh ${checked} -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -W '[%h]:%p' -p 2200 -l ops -- bastion`,
    ],
    [
      "bastion",
      { knownHostsFile: "/tmp/100% sure/kh" },
      `ssh ${checked} -o StrictHostKeyChecking=yes -o 'UserKnownHostsFile=/tmp/100%% sure/kh' -W '[%h]:%p' -- bastion`,
    ],
  ])(
    "%s %j: our checks for the jump host too, quoted for the shell, %% for a literal %",
    (jump, extra, expected) => {
      expect(proxyCommand(parseJumps(jump), { ...base, ...extra })).toBe(expected);
    },
  );

  test("a chain: the first hop's command inside the last hop's, its %-tokens kept for the inner ssh", () => {
    const cmd = proxyCommand(parseJumps("j1,u@j2"), base);
    expect(cmd.startsWith("ssh ")).toBe(true);
    expect(cmd).toContain(`-W '\\''[%%h]:%%p'\\'' -- j1`);
    expect(cmd.endsWith(" -W '[%h]:%p' -l u -- j2")).toBe(true);
  });

  test("the jump host's messages go to a file (ssh discards them with ControlPersist)", () => {
    const args = sshArgs({ host: "h", jump: "bastion" }, { ...base, jumpLog: "/tmp/50% a/j.log" });
    expect(args.find((a) => a.startsWith("ProxyCommand="))).toMatch(
      / -W '\[%h\]:%p' -- bastion 2>>'\/tmp\/50%% a\/j\.log'$/,
    );
  });

  test.each(["-oProxyCommand=x", "a b", "bastion,", "u@h@x"])("rejects the jump %j", (jump) => {
    expect(() => sshArgs({ host: "h", jump }, base)).toThrow(/host/);
  });
});
