/** Formatting of the page's figures, in the browser's locale. */

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

export function formatCount(n: number): string {
  return integer.format(n);
}

/** US dollars: cents from $1 up, more digits below (LLM calls cost fractions of a cent). */
export function formatUsd(amount: number): string {
  const digits = amount === 0 || Math.abs(amount) >= 1 ? 2 : Math.abs(amount) >= 0.01 ? 4 : 6;
  return new Intl.NumberFormat(undefined, {
    style: "currency",
    currency: "USD",
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(amount);
}

/** A fraction of 1 as a percentage with one decimal. */
export function formatRate(rate: number | undefined): string {
  return rate === undefined ? "–" : `${(rate * 100).toFixed(1)} %`;
}

export function formatMs(ms: number | undefined): string {
  if (ms === undefined) {
    return "–";
  }
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)} s` : `${ms} ms`;
}
