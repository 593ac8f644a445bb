import { Alert, Button, Loader, Paper, Stack, Text, Title } from "@mantine/core";
import { Elements, PaymentElement, useElements, useStripe } from "@stripe/react-stripe-js";
import type { Stripe } from "@stripe/stripe-js";
import { loadStripe } from "@stripe/stripe-js/pure";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useState, type FormEvent, type ReactNode } from "react";
import { useSearchParams } from "react-router";
import { api, type Schemas } from "../../api/client";
import { ApiError, unwrap } from "../../api/problem";
import { ErrorState, Loading } from "../../components/States";
import { t } from "../../i18n";
import { useRealtime } from "../../realtime";
import { formatMoney } from "../../time/money";
import { browserZone, formatDateTime } from "../../time/zones";
import { useNow } from "../../time/useNow";

type Payment = Schemas["PaymentOut"] | Schemas["EnrolmentPaymentOut"];

/** Where a payment stands, from the client's side. */
export type PaymentPhase = "form" | "confirming" | "confirmed" | "expired";

/** mm:ss (or h:mm:ss) left until `deadline`; null once it has passed. */
export function remaining(deadline: string, now: Date): string | null {
  const left = Math.floor((Date.parse(deadline) - now.getTime()) / 1000);
  if (left <= 0) return null;
  const hours = Math.floor(left / 3600);
  const minutes = Math.floor((left % 3600) / 60);
  const seconds = String(left % 60).padStart(2, "0");
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}` : `${minutes}:${seconds}`;
}

export interface PaymentPanelProps {
  bookingId: string;
  /** Called once the booking is confirmed (the payment went through and Confer heard of it from Stripe). */
  onConfirmed?: () => void;
}

/**
 * Paying a booking that waits for payment, with Stripe's Payment Element: the server makes the PaymentIntent and
 * hands over its client secret; Stripe.js collects and confirms the payment; then the booking becomes confirmed
 * when Stripe's webhook reaches Confer, which this panel waits for (polling, and listening to the socket).
 */
export function PaymentPanel({ bookingId, onConfirmed }: PaymentPanelProps) {
  return (
    <PaymentBox
      queryKey={["payment", bookingId]}
      request={async () => unwrap(await api.POST("/api/v1/bookings/{booking_id}/payment", { params: { path: { booking_id: bookingId } } }))}
      returnPath={`/bookings/${bookingId}`}
      awaiting={<AwaitConfirmation bookingId={bookingId} onConfirmed={onConfirmed} />}
    />
  );
}

export interface SeatPaymentPanelProps {
  enrolmentId: string;
  sessionId: string;
  /** Called once the seat is the client's (paid, and Confer heard of it from Stripe). */
  onConfirmed?: () => void;
}

/** Paying a seat held in a priced class (`pending_payment`): the same flow as a booking's. */
export function SeatPaymentPanel({ enrolmentId, sessionId, onConfirmed }: SeatPaymentPanelProps) {
  return (
    <PaymentBox
      queryKey={["payment", enrolmentId]}
      request={async () =>
        unwrap(await api.POST("/api/v1/classes/enrolments/{enrolment_id}/payment", { params: { path: { enrolment_id: enrolmentId } } }))
      }
      returnPath="/classes"
      awaiting={<AwaitSeat sessionId={sessionId} onConfirmed={onConfirmed} />}
    />
  );
}

interface PaymentBoxProps {
  queryKey: string[];
  request: () => Promise<Payment>;
  /** Where Stripe sends the browser back after a redirect (3-D Secure and the like). */
  returnPath: string;
  /** What shows once paid, until Confer confirms. */
  awaiting: ReactNode;
}

function PaymentBox({ queryKey, request, returnPath, awaiting }: PaymentBoxProps) {
  const titleId = useId();
  const [params] = useSearchParams();
  // Back from a redirect (3-D Secure and the like): Stripe appends redirect_status to the return URL.
  const returned = params.get("redirect_status") === "succeeded";
  const [paid, setPaid] = useState(returned);
  const payment = useQuery({ queryKey, queryFn: request, staleTime: Infinity, retry: false });
  const succeeded = paid || payment.data?.status === "succeeded" || payment.data?.status === "processing";

  return (
    <Paper withBorder p="md" component="section" aria-labelledby={titleId}>
      <Stack gap="sm">
        <Title order={2} size="h3" id={titleId}>
          {t.account.payment.title}
        </Title>
        {payment.isPending ? (
          <Loading />
        ) : payment.isError ? (
          <PaymentProblem error={payment.error} onRetry={() => payment.refetch()} />
        ) : succeeded ? (
          awaiting
        ) : (
          <PayForm payment={payment.data} returnPath={returnPath} onPaid={() => setPaid(true)} />
        )}
      </Stack>
    </Paper>
  );
}

function PaymentProblem({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  if (error instanceof ApiError && error.kind === "not-payable") {
    return (
      <Alert color="gray" role="status">
        {t.account.payment.notPending}
      </Alert>
    );
  }
  if (error instanceof ApiError && error.kind === "payments-unavailable") {
    return (
      <Alert color="yellow" role="status">
        <Stack gap="xs" align="flex-start">
          <Text size="sm">{t.account.payment.notConfigured}</Text>
          <Button size="xs" variant="light" color="yellow" onClick={onRetry}>
            {t.account.payment.retry}
          </Button>
        </Stack>
      </Alert>
    );
  }
  return <ErrorState error={error} onRetry={onRetry} />;
}

function PayForm({ payment, returnPath, onPaid }: { payment: Payment; returnPath: string; onPaid: () => void }) {
  const zone = browserZone();
  const now = useNow(1000);
  const left = payment.pay_before ? remaining(payment.pay_before, now) : "";
  const amount = formatMoney(payment.amount_minor, payment.currency);
  const stripe = useStripeJs(payment.publishable_key);

  if (left === null) {
    return (
      <Alert color="red" role="alert">
        {t.account.payment.expired}
      </Alert>
    );
  }
  return (
    <Stack gap="sm">
      <Text>{t.account.payment.amount(amount)}</Text>
      {payment.pay_before && (
        <>
          <Text size="sm" c="dimmed">
            {t.account.payment.payBefore(formatDateTime(payment.pay_before, zone))}
          </Text>
          {/* Read out when asked for, not every second. */}
          <Text size="sm" fw={600} aria-live="off" role="timer">
            {t.account.payment.remaining(left)}
          </Text>
        </>
      )}
      {stripe.state === "loading" ? (
        <Loading label={t.account.payment.loadingStripe} />
      ) : stripe.state === "failed" || !payment.client_secret ? (
        <Alert color="red" role="alert">
          <Stack gap="xs" align="flex-start">
            <Text size="sm">{payment.publishable_key ? t.account.payment.stripeFailed : t.account.payment.notConfigured}</Text>
            {payment.publishable_key && (
              <Button size="xs" variant="light" color="red" onClick={stripe.retry}>
                {t.account.payment.retry}
              </Button>
            )}
          </Stack>
        </Alert>
      ) : (
        <Elements stripe={stripe.stripe} options={{ clientSecret: payment.client_secret }}>
          <StripeForm returnPath={returnPath} amount={amount} onPaid={onPaid} />
        </Elements>
      )}
    </Stack>
  );
}

type StripeLoad = { state: "loading"; retry: () => void } | { state: "failed"; retry: () => void } | { state: "ready"; stripe: Stripe; retry: () => void };

/** Stripe.js, loaded from js.stripe.com on first use (never on pages that do not take payments). */
function useStripeJs(publishableKey: string | null): StripeLoad {
  const [attempt, setAttempt] = useState(0);
  const [loaded, setLoaded] = useState<{ key: string; attempt: number; stripe: Stripe | null } | null>(null);
  useEffect(() => {
    if (!publishableKey) return;
    let current = true;
    loadStripe(publishableKey)
      .then((stripe) => current && setLoaded({ key: publishableKey, attempt, stripe }))
      .catch(() => current && setLoaded({ key: publishableKey, attempt, stripe: null }));
    return () => {
      current = false;
    };
  }, [publishableKey, attempt]);
  const retry = () => setAttempt((n) => n + 1);
  if (!publishableKey) return { state: "failed", retry };
  if (!loaded || loaded.key !== publishableKey || loaded.attempt !== attempt) return { state: "loading", retry };
  return loaded.stripe ? { state: "ready", stripe: loaded.stripe, retry } : { state: "failed", retry };
}

function StripeForm({ returnPath, amount, onPaid }: { returnPath: string; amount: string; onPaid: () => void }) {
  const stripe = useStripe();
  const elements = useElements();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!stripe || !elements) return;
    setBusy(true);
    setError(null);
    try {
      const result = await stripe.confirmPayment({
        elements,
        redirect: "if_required",
        confirmParams: { return_url: `${window.location.origin}${returnPath}` },
      });
      if (result.error) setError(result.error.message ?? t.states.unexpected);
      else onPaid();
    } catch {
      setError(t.account.payment.stripeFailed);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit}>
      <Stack gap="sm">
        <PaymentElement />
        {error && (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        )}
        <Button type="submit" loading={busy} disabled={!stripe || !elements}>
          {t.account.payment.pay(amount)}
        </Button>
      </Stack>
    </form>
  );
}

/** Paid: the booking turns confirmed when Stripe's webhook reaches Confer. Ask every 2 s, and hear it on the socket. */
function AwaitConfirmation({ bookingId, onConfirmed }: { bookingId: string; onConfirmed?: () => void }) {
  const queryClient = useQueryClient();
  const booking = useQuery({
    queryKey: ["booking", bookingId],
    queryFn: async () => unwrap(await api.GET("/api/v1/bookings/{booking_id}", { params: { path: { booking_id: bookingId } } })),
    refetchInterval: (query) => (query.state.data?.status === "pending_payment" ? 2000 : false),
  });
  useRealtime((message) => {
    if (message.type === "booking.updated" && message.channel === `booking:${bookingId}`) {
      void queryClient.invalidateQueries({ queryKey: ["booking", bookingId] });
    }
  });
  const confirmed = booking.data?.status === "confirmed";
  useEffect(() => {
    if (!confirmed) return;
    void queryClient.invalidateQueries({ queryKey: ["bookings"] });
    onConfirmed?.();
  }, [confirmed, onConfirmed, queryClient]);
  if (confirmed) {
    return (
      <Alert color="green" role="status">
        {t.account.payment.confirmed}
      </Alert>
    );
  }
  return (
    <Alert color="blue" role="status" icon={<Loader size="xs" aria-hidden />}>
      {t.account.payment.confirming}
    </Alert>
  );
}

/** Paid: the seat becomes the client's when Stripe's webhook reaches Confer. Ask every 2 s until it has. */
function AwaitSeat({ sessionId, onConfirmed }: { sessionId: string; onConfirmed?: () => void }) {
  const queryClient = useQueryClient();
  const place = useQuery({
    queryKey: ["my-place", sessionId],
    queryFn: async () => unwrap(await api.GET("/api/v1/classes/sessions/{session_id}/enrolment", { params: { path: { session_id: sessionId } } })),
    refetchInterval: (query) => (query.state.data?.status === "pending_payment" ? 2000 : false),
  });
  const enrolled = place.data?.status === "enrolled";
  useEffect(() => {
    if (!enrolled) return;
    void queryClient.invalidateQueries({ queryKey: ["my-places"] });
    onConfirmed?.();
  }, [enrolled, onConfirmed, queryClient]);
  return enrolled ? (
    <Alert color="green" role="status">
      {t.classes.paid}
    </Alert>
  ) : (
    <Alert color="blue" role="status" icon={<Loader size="xs" aria-hidden />}>
      {t.classes.confirmingPayment}
    </Alert>
  );
}
