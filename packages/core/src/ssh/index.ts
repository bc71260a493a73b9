export * from "./args";
export * from "./errors";
export * from "./session";
export * from "./target";
