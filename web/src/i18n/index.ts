import { en } from "./en";

/** The strings in use. One language for now; a second one is a file of the same `Dictionary` shape. */
export const t = en;
export type { Dictionary } from "./en";
