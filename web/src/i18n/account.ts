/** Strings of the account pages, the notifications bell, chat, payment and rescheduling. */
export const account = {
  nav: "Account",
} as const;
