import { useEffect, useState } from "react";

/** The current time, renewed every `everyMs` (what depends on the clock, such as whether a booking has ended, is evaluated again). */
export function useNow(everyMs: number): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
