export * from "./errors";
export * from "./extract-config";
export * from "./files";
export * from "./image-version";
export * from "./labels";
export * from "./local-source";
export * from "./registry-source";
