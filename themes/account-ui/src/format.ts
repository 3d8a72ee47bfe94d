import { environment } from "./environment";

const locale = environment.locale || "en";

const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" });
const dateOnly = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" });
const shortDay = new Intl.DateTimeFormat(locale, { month: "short", day: "numeric", timeZone: "UTC" });
const integer = new Intl.NumberFormat(locale);

/** Epoch milliseconds as a local date and time. */
export const formatDateTime = (epochMs: number) => dateTime.format(new Date(epochMs));

/** A calendar day ("2026-12-01") as a date, read in UTC as the server counts days in UTC. */
export const formatDay = (day: string) => dateOnly.format(new Date(`${day}T00:00:00Z`));

export const formatShortDay = (day: string) => shortDay.format(new Date(`${day}T00:00:00Z`));

export const formatInteger = (n: number) => integer.format(n);

/** Amounts to the cent, and small ones (a single call often costs a fraction of a cent) to two significant digits. */
export function formatMoney(amount: number, currency: string): string {
  const small = amount !== 0 && Math.abs(amount) < 0.01;
  return new Intl.NumberFormat(locale, {
    style: "currency",
    currency,
    ...(small ? { maximumSignificantDigits: 2 } : { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
  }).format(amount);
}
