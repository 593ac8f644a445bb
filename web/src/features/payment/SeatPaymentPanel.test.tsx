import { fireEvent, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { loadStripe } from "@stripe/stripe-js/pure";
import { fakeApi, renderApp, signedInEachTest } from "../testing/render";
import { SeatPaymentPanel } from "./PaymentPanel";

vi.mock("@stripe/stripe-js/pure", () => ({ loadStripe: vi.fn() }));

const ENROLMENT = "00000000-0000-4000-8000-0000000000e1";
const SESSION = "00000000-0000-4000-8000-0000000000c1";

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

signedInEachTest();
afterEach(() => vi.mocked(loadStripe).mockReset());

describe("paying a seat in a priced class", () => {
  it("pays through the enrolment's payment route, then waits until the seat is the client's", async () => {
    const stripe = fakeStripe();
    vi.mocked(loadStripe).mockResolvedValue(stripe as never);
    fakeApi((request) => {
      const path = new URL(request.url).pathname;
      if (path === `/api/v1/classes/enrolments/${ENROLMENT}/payment`) {
        return Response.json({
          enrolment_id: ENROLMENT,
          amount_minor: 1500,
          currency: "EUR",
          status: "requires_payment_method",
          client_secret: "pi_1_secret_2",
          publishable_key: "pk_test_123",
          pay_before: new Date(Date.now() + 14 * 60_000).toISOString(),
        });
      }
      if (path === `/api/v1/classes/sessions/${SESSION}/enrolment`) {
        return Response.json({ id: ENROLMENT, session_id: SESSION, status: "enrolled", position: null, offer_expires_at: null });
      }
      return undefined;
    });
    const confirmed = vi.fn();
    renderApp(<SeatPaymentPanel enrolmentId={ENROLMENT} sessionId={SESSION} onConfirmed={confirmed} />);

    fireEvent.click(await screen.findByRole("button", { name: /^Pay €15\.00$|^Pay 15,00/ }));
    expect(await screen.findByText("Paid. The seat is yours.")).toBeTruthy();
    expect(stripe.confirmPayment).toHaveBeenCalledWith(expect.objectContaining({ confirmParams: { return_url: "http://localhost:3000/classes" } }));
    expect(confirmed).toHaveBeenCalledOnce();
  });
});
