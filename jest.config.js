// Two projects: fast pure-logic unit tests next to the code, and integration
// tests under test/ that talk to the real dockerd, registry and sshd that
// ./scripts/setup starts. TypeScript is compiled by swc (type-checking is
// `pnpm typecheck`), so tests start fast on small machines.
const transform = { "^.+\\.(t|j|mj)sx?$": ["@swc/jest", { jsc: { target: "es2022" } }] };

module.exports = {
  projects: [
    {
      displayName: "unit",
      testEnvironment: "node",
      transform,
      testMatch: ["<rootDir>/packages/*/src/**/*.test.ts", "<rootDir>/actions/*/src/**/*.test.ts"],
    },
    {
      displayName: "integration",
      testEnvironment: "node",
      transform,
      testMatch: ["<rootDir>/test/**/*.test.ts"],
      setupFiles: ["<rootDir>/test/support/load-env.ts"],
      slowTestThreshold: 30,
    },
  ],
};
