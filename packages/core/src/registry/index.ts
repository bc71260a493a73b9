export * from "./challenge";
export * from "./client";
export * from "./credentials";
export * from "./errors";
export * from "./manifest";
export * from "./reference";
