/** Earnings by month, read from the server's CSV export (one line per paid booking) for the chart and its table. */
import { localDay } from "../../time/zones";

export interface PaidLine {
  paidAt: string;
  bookingId: string;
  currency: string;
  grossMinor: number;
  feeMinor: number;
  refundedMinor: number;
  netMinor: number;
}

export interface MonthTotal {
  /** YYYY-MM in the professional's zone. */
  month: string;
  currency: string;
  payments: number;
  grossMinor: number;
  feeMinor: number;
  refundedMinor: number;
  netMinor: number;
}

/** "12.34" (or "-0.50") in minor units, without floating point; NaN when it is not such a decimal. */
export function decimalToMinor(text: string, digits = 2): number {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) return Number.NaN;
  const fraction = (match[3] ?? "").padEnd(digits, "0").slice(0, digits);
  const minor = Number(match[2]) * 10 ** digits + Number(fraction || 0);
  return match[1] ? -minor : minor;
}

const COLUMNS = ["paid_at", "booking_id", "currency", "gross", "fee", "refunded", "net"] as const;

/** The export's lines; a line that cannot be read is skipped rather than counted wrong. */
export function parseEarningsCsv(csv: string): PaidLine[] {
  const [header, ...rows] = csv.split(/\r?\n/).filter((line) => line.trim() !== "");
  if (!header) return [];
  const names = header.split(",").map((name) => name.trim());
  const index = Object.fromEntries(COLUMNS.map((column) => [column, names.indexOf(column)])) as Record<(typeof COLUMNS)[number], number>;
  if (Object.values(index).some((i) => i < 0)) return [];
  const lines: PaidLine[] = [];
  for (const row of rows) {
    const cells = row.split(",");
    const cell = (column: (typeof COLUMNS)[number]) => cells[index[column]] ?? "";
    const line: PaidLine = {
      paidAt: cell("paid_at"),
      bookingId: cell("booking_id"),
      currency: cell("currency"),
      grossMinor: decimalToMinor(cell("gross")),
      feeMinor: decimalToMinor(cell("fee")),
      refundedMinor: decimalToMinor(cell("refunded")),
      netMinor: decimalToMinor(cell("net")),
    };
    const amounts = [line.grossMinor, line.feeMinor, line.refundedMinor, line.netMinor];
    if (!Number.isNaN(Date.parse(line.paidAt)) && /^[A-Z]{3}$/.test(line.currency) && amounts.every(Number.isFinite)) lines.push(line);
  }
  return lines;
}

/** Totals per month and currency, months in order, for the months of `zone`'s calendar. */
export function monthlyTotals(lines: readonly PaidLine[], zone: string): MonthTotal[] {
  const totals = new Map<string, MonthTotal>();
  for (const line of lines) {
    const month = localDay(line.paidAt, zone).slice(0, 7);
    const key = `${month} ${line.currency}`;
    const total = totals.get(key) ?? { month, currency: line.currency, payments: 0, grossMinor: 0, feeMinor: 0, refundedMinor: 0, netMinor: 0 };
    total.payments += 1;
    total.grossMinor += line.grossMinor;
    total.feeMinor += line.feeMinor;
    total.refundedMinor += line.refundedMinor;
    total.netMinor += line.netMinor;
    totals.set(key, total);
  }
  return [...totals.values()].sort((a, b) => a.month.localeCompare(b.month) || a.currency.localeCompare(b.currency));
}

/** The last `count` months up to `lastMonth` (YYYY-MM), each with its totals in `currency` or zeros: a chart with
 * no gaps where nothing was earned. */
export function monthSeries(totals: readonly MonthTotal[], currency: string, lastMonth: string, count = 12): MonthTotal[] {
  const [year = 1970, month = 1] = lastMonth.split("-").map(Number);
  return Array.from({ length: count }, (_, i) => {
    const date = new Date(Date.UTC(year, month - 1 - (count - 1 - i), 1));
    const key = date.toISOString().slice(0, 7);
    return (
      totals.find((t) => t.month === key && t.currency === currency) ?? {
        month: key,
        currency,
        payments: 0,
        grossMinor: 0,
        feeMinor: 0,
        refundedMinor: 0,
        netMinor: 0,
      }
    );
  });
}

/** "2026-11" as "Nov 2026". */
export function formatMonth(month: string, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { timeZone: "UTC", month: "short", year: "numeric" }).format(new Date(`${month}-15T12:00:00Z`));
}
