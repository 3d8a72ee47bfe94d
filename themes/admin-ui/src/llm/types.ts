/*
 * The admin API's answers as the page uses them (docs/openapi/admin-llm-api.yaml). Amounts are numbers in USD; absent
 * fields have no value.
 */

export type ProviderStatus = "active" | "disabled" | "error" | string;

export type ModelView = {
  id: string;
  provider_id: string;
  provider_type: string;
  provider_name: string;
  name?: string;
  input_price?: number;
  output_price?: number;
  cached_input_price?: number;
  cache_write_price?: number;
  price_source?: string;
  context_window?: number;
  quality?: number;
  in_catalog: boolean;
  enabled: boolean;
};

export type Provider = {
  id: string;
  name: string;
  type: string;
  type_name: string;
  color: string;
  base_url?: string;
  base_url_overridden: boolean;
  api_key_hint?: string;
  priority: number;
  auto_fallback: boolean;
  enabled: boolean;
  status: ProviderStatus;
  model_count: number;
  avg_cost?: number;
  models_pinned: boolean;
  last_tested_at?: number;
  last_latency_ms?: number;
  last_error?: string;
  created_at: number;
  updated_at: number;
  /** The organisation's quota at this vendor; absent when none. */
  limits?: RateLimits;
  models?: ModelView[];
};

export type ProviderType = { id: string; name: string; color: string; default_base_url?: string };

/** POST /providers and PUT /providers/{id}: every field optional on update; apiKey only when it changes. */
export type ProviderInput = {
  type?: string;
  name?: string;
  apiKey?: string;
  baseUrl?: string | null;
  priority?: number;
  autoFallback?: boolean;
  enabled?: boolean;
  models?: string[] | null;
  /** Replaces the provider's limits; {} clears them. */
  limits?: RateLimits;
};

export type TestOutcome = {
  success: boolean;
  latency: number;
  models_available?: number;
  error?: string;
  error_code?: string;
  provider?: Provider;
};

export type ModelOverride = {
  inputPrice?: number | string | null;
  outputPrice?: number | string | null;
  cachedInputPrice?: number | string | null;
  quality?: number | null;
  enabled?: boolean;
};

export type RoutingStrategy = "cost" | "balanced" | "quality";

export type RoutingRules = {
  strategy: RoutingStrategy;
  aliases: Record<string, string | string[]>;
  retry: { max_attempts: number; cooldown_after_failures: number; cooldown_seconds: number };
};

export type PowerLevel = {
  id: string;
  name: string;
  description?: string;
  color?: string;
  price_ceiling?: number;
  models?: string[];
  monthly_budget?: number;
  /** Each user's limits on this level; absent when none. */
  limits?: RateLimits;
};

export type PowerLevels = { levels: PowerLevel[]; default: string };

export type PowerLevelAssignments = { levels: Record<string, { users: number; groups: number }>; default: string };

/**
 * Rate limits of a power level, provider, client or user: a kind absent (or null) sets no limit; 0 refuses every call.
 * A client's or user's kinds replace those of the caller's level (a user's over a client's).
 */
export type RateLimits = {
  requests_per_minute?: number | null;
  tokens_per_minute?: number | null;
  concurrent_streams?: number | null;
};

/** A level, provider, client (`id` its clientId) or user (`name` the username) with its limits ({} when none). */
export type RateLimitScope = { id: string; name?: string; limits: RateLimits };

/**
 * GET /limits: every level and provider, and the clients and users with limits of their own; admins without
 * view-users get only how many users have them (`users_hidden`), not who.
 */
export type RateLimitsOverview = {
  levels: RateLimitScope[];
  providers: RateLimitScope[];
  clients: RateLimitScope[];
  users?: RateLimitScope[];
  users_hidden?: number;
};

export type ByokOverview = {
  users_with_keys: number;
  keys_by_type: Record<string, number>;
  cost_saved: { currency: string; from: string; to: string; amount: number; calls: number };
  users: { id: string; username?: string; enabled: boolean; provider_types: string[] }[];
  first: number;
  max: number;
};

export type ByokSettings = {
  provider_types?: string[];
  fallback_to_organization_key: boolean;
  offered_types: string[];
};

/** GET/PUT /access: who may call the realm's gateway; every condition set must hold, none set: any caller. */
export type GatewayAccess = {
  require_role?: string;
  require_scope?: string;
  require_audience?: string;
  open: boolean;
};

export type GatewayAccessUpdate = {
  require_role: string | null;
  require_scope: string | null;
  require_audience: string | null;
};

export type Stats = {
  total_providers: number;
  active_models: number;
  total_calls: number;
  total_cost: number;
  currency: string;
  from: string;
  to: string;
  trends: { active_models: number | null; total_calls: number | null; total_cost: number | null };
};

export type UsagePeriod = "7d" | "30d" | "90d" | "all";

export type UsageFigures = {
  calls: number;
  errors: number;
  success_rate?: number;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  cost: number;
  unpriced_calls: number;
  attempts: number;
  fallback_calls: number;
  fallback_rate?: number;
  latency_p50_ms?: number;
  latency_p95_ms?: number;
  byok_calls: number;
  byok_share?: number;
  byok_saved: number;
};

export type UsageAnalytics = {
  period: UsagePeriod;
  bucket: "hour" | "day" | "month";
  from: string;
  to: string;
  currency: string;
  filters: Record<string, string>;
  totals: UsageFigures;
  series: {
    start: string;
    calls: number;
    errors: number;
    prompt_tokens: number;
    completion_tokens: number;
    cost: number;
    byok_calls: number;
  }[];
  by_provider: {
    provider_id?: string;
    name?: string;
    type?: string;
    calls: number;
    errors: number;
    success_rate?: number;
    fallback_calls: number;
    prompt_tokens: number;
    completion_tokens: number;
    cost: number;
    byok_calls: number;
    latency_p50_ms?: number;
    latency_p95_ms?: number;
  }[];
  by_model: {
    model?: string;
    calls: number;
    errors: number;
    prompt_tokens: number;
    completion_tokens: number;
    cost: number;
  }[];
  top_users?: {
    user_id?: string;
    username?: string;
    calls: number;
    prompt_tokens: number;
    completion_tokens: number;
    cost: number;
    byok_calls: number;
  }[];
  top_clients: { client_id?: string; calls: number; prompt_tokens: number; completion_tokens: number; cost: number }[];
};
