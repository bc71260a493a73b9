export * from "./inputs";
export * from "./logger";
export * from "./run";
