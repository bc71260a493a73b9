export * from "./cosign-key";
export * from "./errors";
export * from "./format";
export * from "./keys";
export * from "./sign";
export * from "./store";
export * from "./test-results";
export * from "./verify";
