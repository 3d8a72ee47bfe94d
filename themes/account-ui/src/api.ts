import { useEnvironment, type AccountEnvironment } from "@keycloak/keycloak-account-ui";
import { useMemo } from "react";

import { joinPath } from "./environment";

/** One row of GET /llm/me/keys. Fields without a value are absent. */
export type UserKey = {
  provider_type: string;
  display_name: string;
  offered: boolean;
  set: boolean;
  hint?: string;
  created_at?: number;
  updated_at?: number;
  last_used_at?: number;
  last_test?: { at: number; success: boolean; latency_ms?: number; error?: string };
};

export type KeyTestResult = {
  success: boolean;
  latency_ms?: number;
  models_available?: number;
  error?: string;
  error_code?: string;
};

export type Me = {
  user: { id: string; username: string };
  power_level: {
    id: string;
    name: string;
    description?: string;
    color?: string;
    price_ceiling?: number;
    models?: string[];
  };
  budget: {
    currency: string;
    month: string;
    monthly_budget?: number;
    spent: number;
    remaining?: number;
    exhausted: boolean;
    resets_on: string;
  };
  models: string[];
};

export type UsageDay = {
  day: string;
  calls: number;
  errors: number;
  byok_calls: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost: number;
  saved: number;
};

export type Usage = {
  currency: string;
  from: string;
  to: string;
  days: UsageDay[];
  totals: Omit<UsageDay, "day">;
};

/** A refusal by our REST API: its sentence, and the request field it is about when it names one. */
export class LlmApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly field?: string,
  ) {
    super(message);
  }
}

export type LlmApi = {
  keys(signal?: AbortSignal): Promise<UserKey[]>;
  putKey(type: string, apiKey: string): Promise<UserKey>;
  testKey(type: string): Promise<KeyTestResult>;
  deleteKey(type: string): Promise<void>;
  me(signal?: AbortSignal): Promise<Me>;
  usage(days: number, signal?: AbortSignal): Promise<Usage>;
};

/** The caller's own /realms/{realm}/llm/me resources, with the account console's access token. */
export function useLlmApi(): LlmApi {
  const { environment, keycloak } = useEnvironment<AccountEnvironment>();

  return useMemo(() => {
    const base = joinPath(environment.serverBaseUrl, "realms", encodeURIComponent(environment.realm), "llm/me");

    async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
      try {
        await keycloak.updateToken(30);
      } catch {
        await keycloak.login();
      }
      const headers: Record<string, string> = { Authorization: `Bearer ${keycloak.token}`, Accept: "application/json" };
      if (init.body) {
        headers["Content-Type"] = "application/json";
      }
      const response = await fetch(path ? joinPath(base, path) : base, { ...init, headers });
      if (response.status === 204) {
        return undefined as T;
      }
      const text = await response.text();
      let body: Partial<Record<"error" | "error_description" | "field", string>> | undefined;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        if (response.ok) {
          throw new LlmApiError(`The server answered with something other than JSON (HTTP ${response.status})`, response.status);
        }
      }
      if (!response.ok) {
        const message = body?.error ?? body?.error_description ?? `HTTP ${response.status}`;
        throw new LlmApiError(message, response.status, body?.field);
      }
      return body as T;
    }

    const type = (t: string) => `keys/${encodeURIComponent(t)}`;
    return {
      keys: (signal) => call("keys", { signal }),
      putKey: (t, apiKey) => call(type(t), { method: "PUT", body: JSON.stringify({ apiKey }) }),
      testKey: (t) => call(`${type(t)}/test`, { method: "POST" }),
      deleteKey: (t) => call(type(t), { method: "DELETE" }),
      me: (signal) => call("", { signal }),
      usage: (days, signal) => call(`usage?days=${days}`, { signal }),
    };
  }, [environment, keycloak]);
}
