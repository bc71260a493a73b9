export * from "./copy-manifests";
export * from "./docker-login";
export * from "./format";
export * from "./images";
export * from "./promote";
export * from "./publish";
export * from "./push-errors";
export * from "./settings";
