export * from "./ci";
export * from "./powertrain";
export * from "./tag";
export * from "./template";
