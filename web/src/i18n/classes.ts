/** Strings of class sessions for clients: enrolling, the waitlist, and their places. */
export const classes = {
  sessions: "Upcoming sessions",
  noSessions: "No session is scheduled yet.",
  seatsLeft: (n: number) => (n === 0 ? "Full: join the waitlist" : `${n} ${n === 1 ? "seat" : "seats"} left`),
  enrol: "Enrol",
  joinWaitlist: "Join the waitlist",
  enrolIn: (when: string) => `Enrol in the session of ${when}`,
  waitlistFor: (when: string) => `Join the waitlist of ${when}`,
  enrolled: "You have a seat. It is in your bookings, under Classes.",
  waitlisted: (position: number | null) =>
    position ? `The session is full: you are number ${position} on the waitlist.` : "You are on the waitlist.",
  signInToEnrol: "Sign in to enrol",
  myClasses: "Classes",
  noPlaces: "You have no place in a class to come.",
  status: {
    enrolled: "Seat",
    pending_payment: "Seat held until paid",
    waitlisted: "Waitlist",
    offered: "Seat offered",
  } as Record<string, string>,
  position: (n: number) => `Number ${n} on the waitlist`,
  offerUntil: (when: string) => `A seat is yours if you accept before ${when}.`,
  accept: "Accept the seat",
  accepted: "The seat is yours.",
  leave: "Give up my place",
  left: "Your place is given up.",
  sessionCancelled: "This session was cancelled.",
} as const;
