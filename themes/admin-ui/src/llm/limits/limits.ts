/** Rate limits as the forms edit them and the cards show them (the API's rules: RateLimits.java, docs/api.md). */
import type { RateLimits } from "../types";

/** The three kinds, as the API names them. */
export const LIMIT_KINDS = ["requests_per_minute", "tokens_per_minute", "concurrent_streams"] as const;

export type LimitKind = (typeof LIMIT_KINDS)[number];

/** What a form edits: each kind as typed; empty is no limit. */
export type LimitsDraft = Record<LimitKind, string>;

export const EMPTY_LIMITS: LimitsDraft = { requests_per_minute: "", tokens_per_minute: "", concurrent_streams: "" };

export function limitsDraft(limits?: RateLimits | null): LimitsDraft {
  const text = (v?: number | null) => (v === undefined || v === null ? "" : String(v));
  return {
    requests_per_minute: text(limits?.requests_per_minute),
    tokens_per_minute: text(limits?.tokens_per_minute),
    concurrent_streams: text(limits?.concurrent_streams),
  };
}

export function hasLimits(limits?: RateLimits | null): limits is RateLimits {
  return !!limits && LIMIT_KINDS.some((k) => limits[k] !== undefined && limits[k] !== null);
}

/** Same limits, whatever the absent kinds are written as. */
export function sameLimits(a?: RateLimits | null, b?: RateLimits | null): boolean {
  return LIMIT_KINDS.every((k) => (a?.[k] ?? null) === (b?.[k] ?? null));
}

const NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * The message key of what the browser can tell is wrong with a kind: text that is no number. Whether a number is a
 * whole one within range is the server's call, and it says so under the field.
 */
export function limitError(text: string): string | undefined {
  const s = text.trim();
  return s === "" || NUMBER.test(s) ? undefined : "llmLimitErrorNumber";
}

export function limitsErrors(draft: LimitsDraft): Partial<Record<LimitKind, string>> {
  const errors: Partial<Record<LimitKind, string>> = {};
  for (const k of LIMIT_KINDS) {
    const e = limitError(draft[k]);
    if (e) errors[k] = e;
  }
  return errors;
}

/** The API's object: the kinds set, others left out ({} clears). */
export function fromLimitsDraft(draft: LimitsDraft): RateLimits {
  const limits: RateLimits = {};
  for (const k of LIMIT_KINDS) {
    if (draft[k].trim() !== "") limits[k] = Number(draft[k].trim());
  }
  return limits;
}

/**
 * The kind an API error names, for the limits object at `at` (`limits`, `levels[2].limits`): `at.tokens_per_minute`
 * is that kind; `at` itself (not an object, an unknown kind) goes to the first field.
 */
export function limitKindOf(apiField: string | undefined, at: string): LimitKind | undefined {
  if (apiField === at) return LIMIT_KINDS[0];
  if (!apiField?.startsWith(`${at}.`)) return undefined;
  const kind = apiField.slice(at.length + 1) as LimitKind;
  return LIMIT_KINDS.includes(kind) ? kind : LIMIT_KINDS[0];
}

const whole = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 });

/** 60, 1,500, 100K, 2.5M: large token counts in short. */
export function formatLimit(n: number): string {
  return n >= 10_000 ? compact.format(n) : whole.format(n);
}

/** The page's `t`. */
type Translate = (key: string, options: { count: number; value: string }) => string;

const TEXT: Record<LimitKind, string> = {
  requests_per_minute: "llmLimitRequestsValue",
  tokens_per_minute: "llmLimitTokensValue",
  concurrent_streams: "llmLimitStreamsValue",
};

/** "60 requests/min · 100K tokens/min · 4 streams", or undefined when none is set. */
export function describeLimits(t: Translate, limits?: RateLimits | null): string | undefined {
  if (!hasLimits(limits)) return undefined;
  return LIMIT_KINDS.filter((k) => limits[k] !== undefined && limits[k] !== null)
    .map((k) => t(TEXT[k], { count: limits[k]!, value: formatLimit(limits[k]!) }))
    .join(" · ");
}
