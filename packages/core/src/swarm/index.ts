export * from "./converge";
export * from "./engine";
export * from "./errors";
export * from "./manager";
export * from "./observe";
export * from "./secrets";
export * from "./spec";
