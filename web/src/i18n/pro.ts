/** Strings of the professional's pages (profile, offerings, availability, calendar, classes, earnings). */
export const pro = {
  nav: "My practice",
} as const;
