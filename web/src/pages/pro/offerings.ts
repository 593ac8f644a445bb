/** The offering form's model: what a professional types ⇄ the API's OfferingCreate, and the checks made before sending. */
import type { Schemas } from "../../api/client";

export type Offering = Schemas["OfferingOut"];
export type OfferingBody = Schemas["OfferingCreate"];
export type Kind = "consultation" | "class";

export interface OfferingForm {
  kind: Kind;
  title: string;
  description: string;
  durationMinutes: number | string;
  /** In the currency's major unit (euros, not cents), as the person types it. */
  price: number | string;
  currency: string;
  slotStepMinutes: number | string;
  bufferBeforeMinutes: number | string;
  bufferAfterMinutes: number | string;
  minNoticeHours: number | string;
  horizonDays: number | string;
  maxPerDay: number | string;
  cancellationFreeHours: number | string;
  lateCancellationRefundPercent: number | string;
  requiresApproval: boolean;
  capacity: number | string;
  published: boolean;
}

export const CURRENCIES = ["EUR", "USD", "GBP", "CHF", "CAD", "AUD", "SEK", "NOK", "DKK", "PLN", "CZK", "JPY"];

export function newOfferingForm(kind: Kind = "consultation", currency = "EUR"): OfferingForm {
  return {
    kind,
    title: "",
    description: "",
    durationMinutes: kind === "class" ? 60 : 50,
    price: 0,
    currency,
    slotStepMinutes: 15,
    bufferBeforeMinutes: 0,
    bufferAfterMinutes: 0,
    minNoticeHours: 0,
    horizonDays: 60,
    maxPerDay: "",
    cancellationFreeHours: 24,
    lateCancellationRefundPercent: 0,
    requiresApproval: false,
    capacity: kind === "class" ? 10 : "",
    published: true,
  };
}

/** Digits after the decimal point in `currency` (2 for EUR, 0 for JPY). */
export function currencyDigits(currency: string): number {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** A major-unit amount ("45.5") in minor units (4550), rounded to the currency's precision; NaN when not a number. */
export function toMinor(amount: number | string, currency: string): number {
  const value = typeof amount === "number" ? amount : Number(String(amount).trim().replace(",", "."));
  if (amount === "" || !Number.isFinite(value)) return Number.NaN;
  return Math.round(value * 10 ** currencyDigits(currency));
}

export function fromMinor(minor: number, currency: string): number {
  return minor / 10 ** currencyDigits(currency);
}

export function offeringToForm(offering: Offering): OfferingForm {
  return {
    kind: offering.kind === "class" ? "class" : "consultation",
    title: offering.title,
    description: offering.description,
    durationMinutes: offering.duration_minutes,
    price: fromMinor(offering.price_minor, offering.currency),
    currency: offering.currency,
    slotStepMinutes: offering.slot_step_minutes,
    bufferBeforeMinutes: offering.buffer_before_minutes,
    bufferAfterMinutes: offering.buffer_after_minutes,
    minNoticeHours: offering.min_notice_minutes / 60,
    horizonDays: offering.horizon_days,
    maxPerDay: offering.max_per_day ?? "",
    cancellationFreeHours: offering.cancellation_free_hours,
    lateCancellationRefundPercent: offering.late_cancellation_refund_percent,
    requiresApproval: offering.requires_approval,
    capacity: offering.capacity ?? "",
    published: offering.published,
  };
}

export type OfferingField = keyof OfferingForm;
export type OfferingProblem = "required" | "range" | "number";

const RANGES: Partial<Record<OfferingField, [number, number]>> = {
  durationMinutes: [5, 480],
  slotStepMinutes: [5, 480],
  bufferBeforeMinutes: [0, 240],
  bufferAfterMinutes: [0, 240],
  minNoticeHours: [0, 1440],
  horizonDays: [1, 365],
  maxPerDay: [1, 100],
  cancellationFreeHours: [0, 720],
  lateCancellationRefundPercent: [0, 100],
  capacity: [1, 1000],
};

const OPTIONAL: ReadonlySet<OfferingField> = new Set(["maxPerDay"]);

/** The form's problems by field; empty when it can be sent. */
export function offeringProblems(form: OfferingForm): Partial<Record<OfferingField, OfferingProblem>> {
  const problems: Partial<Record<OfferingField, OfferingProblem>> = {};
  if (!form.title.trim()) problems.title = "required";
  else if (form.title.trim().length > 120) problems.title = "range";
  if (form.description.length > 5000) problems.description = "range";
  for (const [field, [min, max]] of Object.entries(RANGES) as [OfferingField, [number, number]][]) {
    if (field === "capacity" && form.kind !== "class") continue;
    const raw = form[field];
    if (raw === "" || raw === null || raw === undefined) {
      if (!OPTIONAL.has(field)) problems[field] = "required";
      continue;
    }
    const value = Number(raw);
    if (!Number.isFinite(value)) problems[field] = "number";
    else if (value < min || value > max || (field !== "minNoticeHours" && !Number.isInteger(value))) problems[field] = "range";
  }
  const price = toMinor(form.price, form.currency);
  if (Number.isNaN(price)) problems.price = form.price === "" ? "required" : "number";
  else if (price < 0 || price > 100_000_000) problems.price = "range";
  if (!/^[A-Z]{3}$/.test(form.currency)) problems.currency = "required";
  return problems;
}

/** The API body of a valid form. */
export function offeringBody(form: OfferingForm): OfferingBody {
  const optional = (value: number | string) => (value === "" ? null : Number(value));
  return {
    kind: form.kind,
    title: form.title.trim(),
    description: form.description.trim(),
    duration_minutes: Number(form.durationMinutes),
    price_minor: toMinor(form.price, form.currency),
    currency: form.currency,
    slot_step_minutes: Number(form.slotStepMinutes),
    buffer_before_minutes: Number(form.bufferBeforeMinutes),
    buffer_after_minutes: Number(form.bufferAfterMinutes),
    min_notice_minutes: Math.round(Number(form.minNoticeHours) * 60),
    horizon_days: Number(form.horizonDays),
    max_per_day: form.kind === "class" ? null : optional(form.maxPerDay),
    cancellation_free_hours: Number(form.cancellationFreeHours),
    late_cancellation_refund_percent: Number(form.lateCancellationRefundPercent),
    requires_approval: form.kind === "class" ? false : form.requiresApproval,
    capacity: form.kind === "class" ? Number(form.capacity) : null,
    published: form.published,
  };
}
