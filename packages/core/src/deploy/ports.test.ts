import { allocatePorts, parseProcNet } from "./ports";

const PROC_TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 10 0
   1: 00000000:4650 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 10 0
   2: 0100007F:D2F0 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 1 1 0 10 0
`;
const PROC_TCP6 = `  sl  local_address                         remote_address                        st
   0: 00000000000000000000000000000000:1F41 00000000000000000000000000000000:0000 0A 0
`;

describe("parseProcNet", () => {
  test.each([
    ["tcp listeners only, not connections", PROC_TCP, [8080, 18000]],
    ["tcp6", PROC_TCP6, [8001]],
    ["empty", "", []],
  ])("%s", (_name, text, expected) => {
    expect([...parseProcNet(text, "tcp")].sort((a, b) => a - b)).toEqual(expected);
  });
});

describe("allocatePorts", () => {
  test.each([
    [{ from: 18000, to: 18003 }, 2, [], [18000, 18001]],
    [{ from: 18000, to: 18003 }, 2, [18000, 18002], [18001, 18003]],
    [{ from: 18005, to: 18005 }, 1, [], [18005]],
  ])("%j × %i skipping %j", (range, count, used, expected) => {
    expect(allocatePorts(range, count, new Set(used), "h")).toEqual(expected);
  });

  test("exhaustion names the range and the host", () => {
    expect(() => allocatePorts({ from: 18000, to: 18002 }, 3, new Set([18001]), "web-1")).toThrow(
      "port range 18000-18002 on web-1 is exhausted: need 3 free ports, found 2",
    );
  });
});
