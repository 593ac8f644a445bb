import createClient from "openapi-fetch";
import { describe, expect, it } from "vitest";
import { ApiError, messageOf, toProblem, unwrap, userMessage } from "./problem";
import type { paths } from "./schema";

function clientAnswering(status: number, body: string, contentType: string) {
  return createClient<paths>({
    baseUrl: "http://confer.test",
    fetch: async () => new Response(body, { status, headers: { "Content-Type": contentType } }),
  });
}

function failureOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("expected a failure");
}

describe("problem+json answers", () => {
  it("become an ApiError whose message is the problem's detail", async () => {
    const api = clientAnswering(
      409,
      JSON.stringify({ type: "https://confer.dev/problems/slot-unavailable", title: "That time is no longer available", status: 409, detail: "Someone booked 10:00 first." }),
      "application/problem+json",
    );
    const result = await api.POST("/api/v1/bookings", { body: { offering_id: "o", starts_at: "2026-11-10T09:00:00Z" } });
    const error = failureOf(() => unwrap(result));

    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(409);
    expect((error as ApiError).kind).toBe("slot-unavailable");
    expect((error as ApiError).message).toBe("Someone booked 10:00 first.");
  });

  it("fall back to the title and list the offending fields of a validation problem", async () => {
    const api = clientAnswering(
      422,
      JSON.stringify({ type: "https://confer.dev/problems/validation", title: "The request has invalid fields", status: 422, errors: [{ field: "password", message: "too short" }] }),
      "application/problem+json",
    );
    const result = await api.POST("/api/v1/auth/register", { body: { email: "a@b.c", name: "A", password: "x", timezone: "UTC" } });

    expect(messageOf(failureOf(() => unwrap(result)))).toBe("The request has invalid fields (password: too short)");
  });

  it("give the data back untouched on success", async () => {
    const api = clientAnswering(200, JSON.stringify({ access_token: "a", refresh_token: "r", expires_in: 900 }), "application/json");
    const pair = unwrap(await api.POST("/api/v1/auth/login", { body: { email: "a@b.c", password: "p" } }));
    expect(pair.access_token).toBe("a");
  });
});

describe("answers that are not problem+json", () => {
  it("keep their status and a readable message, never an HTML page", () => {
    const problem = toProblem(502, "<html><body>Bad gateway</body></html>", "Bad Gateway");
    expect(problem).toMatchObject({ status: 502, title: "Bad Gateway", detail: null });
    expect(userMessage(problem)).toBe("Bad Gateway");
  });

  it("show plain text bodies as the detail", () => {
    expect(userMessage(toProblem(503, "Service restarting", "Service Unavailable"))).toBe("Service restarting");
  });

  it("explain a network failure as one", () => {
    expect(messageOf(new TypeError("Failed to fetch"))).toMatch(/could not be reached/);
  });
});
