import { useAdminClient, useRealm } from "@keycloak/keycloak-admin-ui";
import { useMemo } from "react";

import { environment, joinPath } from "../environment";
import type {
  ByokOverview,
  ByokSettings,
  GatewayAccess,
  GatewayAccessUpdate,
  ModelOverride,
  ModelView,
  PowerLevelAssignments,
  PowerLevels,
  Provider,
  ProviderInput,
  ProviderType,
  RateLimits,
  RateLimitsOverview,
  RoutingRules,
  Stats,
  TestOutcome,
  UsageAnalytics,
  UsagePeriod,
} from "./types";

/** A refusal by the admin API: its sentence, the HTTP status, and the request field it names, if any. */
export class LlmApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly field?: string,
  ) {
    super(message);
  }
}

type ErrorBody = { error?: string | { message?: string }; field?: string; error_description?: string };

/** The admin API of the realm being managed (/admin/realms/{realm}/llm), with the console's own access token. */
export type LlmAdminApi = ReturnType<typeof createApi>;

function createApi(base: string, token: () => Promise<string | undefined>) {
  async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const headers: Record<string, string> = { Accept: "application/json" };
    const accessToken = await token();
    if (accessToken) {
      headers.Authorization = `Bearer ${accessToken}`;
    }
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
    }
    const response = await fetch(joinPath(base, path), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
    const text = await response.text();
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!response.ok) {
      const e = (json ?? {}) as ErrorBody;
      const message =
        typeof e.error === "string"
          ? e.error
          : (e.error?.message ?? e.error_description ?? `${method} ${path}: HTTP ${response.status}`);
      throw new LlmApiError(message, response.status, e.field);
    }
    return json as T;
  }

  const get = <T>(path: string, signal?: AbortSignal) => request<T>("GET", path, undefined, signal);
  const enc = encodeURIComponent;

  return {
    request,
    providers: (signal?: AbortSignal) =>
      get<{ providers: Provider[]; total: number }>("providers", signal).then((r) => r.providers),
    provider: (id: string, signal?: AbortSignal) => get<Provider>(`providers/${enc(id)}`, signal),
    createProvider: (input: ProviderInput) =>
      request<{ success: boolean; provider: Provider }>("POST", "providers", input).then((r) => r.provider),
    updateProvider: (id: string, input: ProviderInput) =>
      request<{ success: boolean; provider: Provider }>("PUT", `providers/${enc(id)}`, input).then((r) => r.provider),
    deleteProvider: (id: string) => request<{ success: boolean }>("DELETE", `providers/${enc(id)}`),
    testProvider: (id: string) => request<TestOutcome>("POST", `providers/${enc(id)}/test`),
    /** Tests a key before it is saved; nothing is stored. */
    testKey: (type: string, apiKey: string, baseUrl?: string) =>
      request<TestOutcome>("POST", "test", { provider: type, api_key: apiKey, base_url: baseUrl || undefined }),
    updateModel: (providerId: string, modelId: string, override: ModelOverride) =>
      request<{ success: boolean; model: ModelView }>(
        "PUT",
        `providers/${enc(providerId)}/models/${enc(modelId)}`,
        override,
      ).then((r) => r.model),
    models: (signal?: AbortSignal) => get<{ models: ModelView[]; total: number }>("models", signal),
    providerTypes: (signal?: AbortSignal) =>
      get<{ types: ProviderType[] }>("provider-types", signal).then((r) => r.types),
    routingRules: (signal?: AbortSignal) => get<RoutingRules>("routing/rules", signal),
    updateRoutingRules: (rules: Partial<RoutingRules>) =>
      request<{ success: boolean; strategy: string; rules: RoutingRules }>("PUT", "routing/rules", rules).then(
        (r) => r.rules,
      ),
    powerLevels: (signal?: AbortSignal) => get<PowerLevels>("power-levels", signal),
    replacePowerLevels: (levels: PowerLevels) =>
      request<PowerLevels & { success: boolean }>("PUT", "power-levels", levels),
    powerLevelAssignments: (signal?: AbortSignal) => get<PowerLevelAssignments>("power-levels/assignments", signal),
    rateLimits: (signal?: AbortSignal) => get<RateLimitsOverview>("limits", signal),
    /** Replaces a client's own limits ({} clears them); answers what is stored. */
    updateClientLimits: (clientId: string, limits: RateLimits) =>
      request<RateLimits>("PUT", `limits/clients/${enc(clientId)}`, limits),
    /** Replaces a user's own limits (their llm_… attributes; {} clears them); answers what is stored. */
    updateUserLimits: (userId: string, limits: RateLimits) =>
      request<RateLimits>("PUT", `limits/users/${enc(userId)}`, limits),
    byok: (first: number, max: number, signal?: AbortSignal) =>
      get<ByokOverview>(`byok?first=${first}&max=${max}`, signal),
    byokSettings: (signal?: AbortSignal) => get<ByokSettings>("byok/settings", signal),
    updateByokSettings: (settings: Partial<Pick<ByokSettings, "provider_types" | "fallback_to_organization_key">>) =>
      request<ByokSettings>("PUT", "byok/settings", settings),
    gatewayAccess: (signal?: AbortSignal) => get<GatewayAccess>("access", signal),
    updateGatewayAccess: (access: GatewayAccessUpdate) => request<GatewayAccess>("PUT", "access", access),
    stats: (signal?: AbortSignal) => get<Stats>("stats", signal),
    usage: (period: UsagePeriod, signal?: AbortSignal) => get<UsageAnalytics>(`usage?period=${enc(period)}`, signal),
    /** The CSV as a Blob (the download needs the access token, so not a plain link). */
    async exportCsv(period: UsagePeriod): Promise<{ blob: Blob; filename: string }> {
      const accessToken = await token();
      const response = await fetch(joinPath(base, `usage/export?period=${enc(period)}`), {
        headers: accessToken ? { Authorization: `Bearer ${accessToken}` } : {},
      });
      if (!response.ok) {
        const e = ((await response.json().catch(() => ({}))) ?? {}) as ErrorBody;
        throw new LlmApiError(
          typeof e.error === "string" ? e.error : `export: HTTP ${response.status}`,
          response.status,
          e.field,
        );
      }
      const disposition = response.headers.get("Content-Disposition") ?? "";
      const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? `llm-usage-${period}.csv`;
      return { blob: await response.blob(), filename };
    },
  };
}

/** The LLM admin API of the realm the console is showing. */
export function useLlmAdminApi(): LlmAdminApi {
  const { adminClient } = useAdminClient();
  const { realm } = useRealm();
  return useMemo(
    () =>
      createApi(joinPath(environment.adminBaseUrl, "admin/realms", encodeURIComponent(realm), "llm"), () =>
        adminClient.getAccessToken(),
      ),
    [adminClient, realm],
  );
}
