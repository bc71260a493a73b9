export { didYouMean, explainRuntime } from "./describe";
export * from "./environment-source";
export * from "./hooks";
export * from "./json-schema";
export {
  type ImportNote,
  type ImportResult,
  importLegacyMakefile,
  type MakeVariable,
  parseMakefile,
} from "./legacy-makefile";
export * from "./load";
export * from "./merge";
export * from "./reference-policy";
export * from "./references";
export * from "./resolve";
export {
  type Host,
  parseResolvedDocument,
  RESOLVED_SCHEMA,
  type ResolvedDeploy,
  type ResolvedDocument,
  type ResolvedHealth,
  type ResolvedPort,
  type ResolvedRouter,
  type ResolvedRun,
  type ResolvedSwarm,
  type ResolvedVolume,
  toResolvedDocument,
} from "./resolved";
export * from "./schema";
export * from "./starter";
export * from "./units";
