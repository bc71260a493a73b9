export * from "./build-args";
export * from "./builder";
export * from "./container";
export * from "./docker";
export * from "./history";
export * from "./inspect";
