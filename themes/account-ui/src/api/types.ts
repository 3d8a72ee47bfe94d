/*
 * The answers of /realms/{realm}/llm/me, /me/keys and /me/usage, as docs/openapi/realm-llm-api.yaml describes them
 * (one type per schema, same names). Fields the server leaves out when they have no value are optional.
 */

/** Schema ProviderType. */
export type ProviderType =
  "openrouter" | "openai" | "anthropic" | "together" | "huggingface" | "cohere" | "groq" | "mistral" | "custom";

/** Schema UserKeyLastTest: the last test the user ran, or the vendor's refusal of the key in a gateway call. */
export type UserKeyLastTest = {
  at: number;
  success: boolean;
  latency_ms?: number;
  error?: string;
};

/** Schema UserKey: one row of GET /me/keys, and the answer of PUT /me/keys/{type}. */
export type UserKey = {
  provider_type: ProviderType;
  display_name: string;
  offered: boolean;
  set: boolean;
  hint?: string;
  created_at?: number;
  updated_at?: number;
  last_used_at?: number;
  last_test?: UserKeyLastTest;
};

/** Schema UserKeyRequest: the body of PUT /me/keys/{type}. */
export type UserKeyRequest = {
  apiKey: string;
};

/** Schema UserKeyTestResult: the answer of POST /me/keys/{type}/test. */
export type UserKeyTestResult = {
  success: boolean;
  latency_ms: number;
  models_available?: number;
  error?: string;
  error_code?:
    "invalid_key" | "rate_limited" | "timeout" | "unreachable" | "not_found" | "upstream_error" | "bad_response";
};

/** Schema MeUser. */
export type MeUser = {
  id: string;
  username: string;
};

/** Schema MePowerLevel. */
export type MePowerLevel = {
  id: string;
  name: string;
  description?: string;
  color?: string;
  price_ceiling?: number;
  models?: string[];
};

/** Schema MeBudget: without a budget, monthly_budget and remaining are absent. */
export type MeBudget = {
  currency: "USD";
  month: string;
  monthly_budget?: number;
  spent: number;
  remaining?: number;
  exhausted: boolean;
  resets_on: string;
};

/** Schema Me: the answer of GET /me. */
export type Me = {
  user: MeUser;
  power_level: MePowerLevel;
  budget: MeBudget;
  models: string[];
};

/** Schema UsageTotals. */
export type UsageTotals = {
  calls: number;
  errors: number;
  byok_calls: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost: number;
  saved: number;
};

/** Schema UsageDay: one UTC day. */
export type UsageDay = UsageTotals & {
  day: string;
};

/** Schema Usage: the answer of GET /me/usage. */
export type Usage = {
  currency: "USD";
  from: string;
  to: string;
  days: UsageDay[];
  totals: UsageTotals;
};

/** Schema Error: how these endpoints refuse a request. */
export type ApiErrorBody = {
  success: false;
  error: string;
  field?: string;
};

/** Schema OpenAiError: the 401 of these endpoints (and every error of /v1). */
export type OpenAiErrorBody = {
  error: {
    message: string;
    type: string;
    param: string | null;
    code: string | null;
  };
};
