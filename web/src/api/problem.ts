/** Confer's errors are RFC 9457 problem+json; this turns any failed answer into one ApiError a page can show. */
import { t } from "../i18n";

export interface FieldProblem {
  field: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string | null;
  instance?: string | null;
  errors?: FieldProblem[] | null;
}

export class ApiError extends Error {
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(userMessage(problem));
    this.name = "ApiError";
    this.problem = problem;
  }

  get status(): number {
    return this.problem.status;
  }

  /** The problem's short type name, e.g. "slot-unavailable", for pages that react to one kind of error. */
  get kind(): string {
    return this.problem.type.split("/").pop() ?? this.problem.type;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function fieldProblems(value: unknown): FieldProblem[] | null {
  if (!Array.isArray(value)) return null;
  return value.filter(
    (item): item is FieldProblem =>
      isRecord(item) && typeof item.field === "string" && typeof item.message === "string",
  );
}

/** A Problem from an error body: problem+json as Confer sends it, or whatever a proxy put there instead. */
export function toProblem(status: number, body: unknown, statusText = ""): Problem {
  if (isRecord(body) && (typeof body.title === "string" || typeof body.detail === "string")) {
    return {
      type: typeof body.type === "string" ? body.type : "about:blank",
      title: typeof body.title === "string" ? body.title : statusText || t.states.error,
      status: typeof body.status === "number" ? body.status : status,
      detail: typeof body.detail === "string" ? body.detail : null,
      instance: typeof body.instance === "string" ? body.instance : null,
      errors: fieldProblems(body.errors),
    };
  }
  const text = typeof body === "string" && body.trim() && !body.trimStart().startsWith("<") ? body.trim() : null;
  return { type: "about:blank", title: statusText || t.states.error, status, detail: text };
}

/** What the user reads: the detail when the server gave one, the title otherwise, and each offending field. */
export function userMessage(problem: Problem): string {
  const head = problem.detail || problem.title || t.states.unexpected;
  const fields = (problem.errors ?? []).map((e) => `${e.field}: ${e.message}`);
  return fields.length ? `${head} (${fields.join("; ")})` : head;
}

export function networkError(): ApiError {
  return new ApiError({ type: "network", title: t.states.networkError, status: 0 });
}

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of an openapi-fetch answer, or an ApiError carrying the problem. */
export function unwrap<T>(result: FetchResult<T>): T {
  const { data, error, response } = result;
  if (!response.ok || error !== undefined) {
    throw new ApiError(toProblem(response.status, error, response.statusText));
  }
  return data as T;
}

/** A message for any thrown value: ApiError's own, a network failure's, or a generic one. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return t.states.networkError;
  return t.states.unexpected;
}
