export * from "./chart";
export * from "./histogram";
export * from "./report";
export * from "./stats";
export * from "./verdict";
