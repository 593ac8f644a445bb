import { fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { loadStripe } from "@stripe/stripe-js/pure";
import { fakeApi, renderApp, signedInEachTest } from "../testing/render";
import { PaymentPanel, remaining } from "./PaymentPanel";

vi.mock("@stripe/stripe-js/pure", () => ({ loadStripe: vi.fn() }));

const BOOKING = "00000000-0000-4000-8000-0000000000b1";

function fakeStripe() {
  const element = { mount: vi.fn(), on: vi.fn(), off: vi.fn(), destroy: vi.fn(), update: vi.fn() };
  const elements = { create: vi.fn(() => element), update: vi.fn(), getElement: vi.fn(() => element), submit: vi.fn(async () => ({})) };
  return {
    elements: vi.fn(() => elements),
    createToken: vi.fn(),
    createPaymentMethod: vi.fn(),
    confirmCardPayment: vi.fn(),
    confirmPayment: vi.fn(async () => ({ paymentIntent: { id: "pi_1", status: "succeeded" } })),
    registerAppInfo: vi.fn(),
    _registerWrapper: vi.fn(),
  };
}

function payment(overrides: object = {}) {
  return {
    booking_id: BOOKING,
    amount_minor: 4500,
    currency: "EUR",
    status: "requires_payment_method",
    client_secret: "pi_1_secret_2",
    publishable_key: "pk_test_123",
    pay_before: new Date(Date.now() + 14 * 60_000 + 30_000).toISOString(),
    ...overrides,
  };
}

function serve(answer: () => Response, bookingStatus = () => "confirmed") {
  return fakeApi((request) => {
    const path = new URL(request.url).pathname;
    if (path === `/api/v1/bookings/${BOOKING}/payment`) return answer();
    if (path === `/api/v1/bookings/${BOOKING}`) {
      return Response.json({ id: BOOKING, status: bookingStatus(), starts_at: "2026-11-10T09:00:00Z", ends_at: "2026-11-10T09:30:00Z" });
    }
    return undefined;
  });
}

signedInEachTest();
afterEach(() => vi.mocked(loadStripe).mockReset());

describe("paying a booking", () => {
  it("confirms the payment with Stripe, then waits until the booking is confirmed", async () => {
    const stripe = fakeStripe();
    vi.mocked(loadStripe).mockResolvedValue(stripe as never);
    serve(() => Response.json(payment()));
    const confirmed = vi.fn();
    renderApp(<PaymentPanel bookingId={BOOKING} onConfirmed={confirmed} />);

    const pay = await screen.findByRole("button", { name: /^Pay €45\.00$|^Pay 45,00/ });
    expect(loadStripe).toHaveBeenCalledWith("pk_test_123");
    expect(stripe.elements).toHaveBeenCalledWith(expect.objectContaining({ clientSecret: "pi_1_secret_2" }));
    expect(screen.getByRole("timer").textContent).toMatch(/^Time left to pay: 14:(29|30)$/);

    fireEvent.click(pay);
    expect(await screen.findByText("Paid. Your booking is confirmed.")).toBeTruthy();
    expect(stripe.confirmPayment).toHaveBeenCalledWith(expect.objectContaining({ redirect: "if_required", confirmParams: { return_url: `http://localhost:3000/bookings/${BOOKING}` } }));
    expect(confirmed).toHaveBeenCalledOnce();
  });

  it("shows Stripe's refusal and lets the client try again", async () => {
    const stripe = fakeStripe();
    stripe.confirmPayment.mockResolvedValue({ error: { message: "Your card was declined." } } as never);
    vi.mocked(loadStripe).mockResolvedValue(stripe as never);
    serve(() => Response.json(payment()));
    renderApp(<PaymentPanel bookingId={BOOKING} />);

    fireEvent.click(await screen.findByRole("button", { name: /^Pay / }));
    expect(await screen.findByText("Your card was declined.")).toBeTruthy();
    expect(screen.getByRole("button", { name: /^Pay / })).toBeTruthy();
  });

  it("says so clearly when Stripe.js cannot be loaded", async () => {
    vi.mocked(loadStripe).mockRejectedValue(new Error("Failed to load Stripe.js"));
    serve(() => Response.json(payment()));
    renderApp(<PaymentPanel bookingId={BOOKING} />);
    expect(await screen.findByText(/The payment form could not be loaded/)).toBeTruthy();
  });

  it("explains a server without payments instead of failing", async () => {
    serve(() => Response.json({ type: "https://confer.dev/problems/payments-unavailable", title: "Payments are not configured on this server", status: 503 }, { status: 503 }));
    renderApp(<PaymentPanel bookingId={BOOKING} />);
    expect(await screen.findByText(/Online payment is not available on this Confer server/)).toBeTruthy();
    expect(loadStripe).not.toHaveBeenCalled();
  });

  it("goes straight to waiting when the payment already went through", async () => {
    serve(() => Response.json(payment({ status: "succeeded", client_secret: null })));
    renderApp(<PaymentPanel bookingId={BOOKING} />);
    await waitFor(() => expect(screen.getByText("Paid. Your booking is confirmed.")).toBeTruthy());
    expect(loadStripe).not.toHaveBeenCalled();
  });
});

describe("the time left to pay", () => {
  it("counts down in minutes and seconds, and is gone at the deadline", () => {
    const now = new Date("2026-11-10T09:00:00Z");
    expect(remaining("2026-11-10T09:14:05Z", now)).toBe("14:05");
    expect(remaining("2026-11-10T10:00:09Z", now)).toBe("1:00:09");
    expect(remaining("2026-11-10T09:00:00Z", now)).toBeNull();
  });
});
