/** Public face of the diagram logic: layout, geometry, exports, playback, fixtures. */
export * from "./format";
export * from "./layout";
export * from "./geometry";
export * from "./side-by-side";
export * from "./export";
export * from "./playback";
