export * from "./config";
export * from "./errors";
export * from "./exec/exec";
export * from "./exec/quote";
export * from "./log";
export * from "./version";
