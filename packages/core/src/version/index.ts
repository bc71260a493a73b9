export * from "./powertrain";
