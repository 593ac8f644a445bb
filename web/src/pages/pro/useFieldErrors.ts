import { useState, type FormEvent } from "react";

/**
 * A form's own problems, shown per field only once a submit was tried (so they do not nag while one types), else the
 * server's word on the field. `submit(send)` sends only a form without problems.
 */
export function useFieldErrors<F extends string, P extends string>(problems: Partial<Record<F, P>>, fromServer: Partial<Record<F, string>>, messages: Record<P, string>) {
  const [submitted, setSubmitted] = useState(false);
  const valid = Object.keys(problems).length === 0;
  const error = (field: F): string | undefined => {
    const problem = submitted ? problems[field] : undefined;
    return problem ? messages[problem] : fromServer[field];
  };
  const submit = (send: () => void) => (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (valid) send();
  };
  return { error, submit, showProblems: submitted && !valid };
}
