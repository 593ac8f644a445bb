/** Strings of the video room. */
export const video = {
  join: "Join video",
} as const;
