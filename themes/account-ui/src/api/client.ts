import { useEnvironment, type AccountEnvironment } from "@keycloak/keycloak-account-ui";
import { useMemo } from "react";

import { joinPath } from "../environment";
import type {
  ApiErrorBody,
  Me,
  OpenAiErrorBody,
  ProviderType,
  Usage,
  UserKey,
  UserKeyRequest,
  UserKeyTestResult,
} from "./types";

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

/** The caller's own /realms/{realm}/llm/me resources (docs/openapi/realm-llm-api.yaml, tag "me"). */
export type LlmApi = {
  /** GET /me/keys */
  keys(signal?: AbortSignal): Promise<UserKey[]>;
  /** PUT /me/keys/{type} */
  putKey(type: ProviderType, apiKey: string): Promise<UserKey>;
  /** POST /me/keys/{type}/test */
  testKey(type: ProviderType): Promise<UserKeyTestResult>;
  /** DELETE /me/keys/{type} */
  deleteKey(type: ProviderType): Promise<void>;
  /** GET /me */
  me(signal?: AbortSignal): Promise<Me>;
  /** GET /me/usage?days= */
  usage(days: number, signal?: AbortSignal): Promise<Usage>;
};

/** What an error body may hold: ours, OpenAI's (a 401 of these endpoints) or Keycloak's own ({error_description}). */
type ErrorBody = {
  error?: ApiErrorBody["error"] | OpenAiErrorBody["error"];
  field?: ApiErrorBody["field"];
  error_description?: string;
};

function errorMessage(body: ErrorBody | undefined, status: number): string {
  const error = body?.error;
  if (typeof error === "string") {
    return error;
  }
  return error?.message ?? body?.error_description ?? `HTTP ${status}`;
}

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
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        if (response.ok) {
          throw new LlmApiError(
            `The server answered with something other than JSON (HTTP ${response.status})`,
            response.status,
          );
        }
      }
      if (!response.ok) {
        const error = body as ErrorBody | undefined;
        throw new LlmApiError(errorMessage(error, response.status), response.status, error?.field);
      }
      return body as T;
    }

    const type = (t: ProviderType) => `keys/${encodeURIComponent(t)}`;
    return {
      keys: (signal) => call("keys", { signal }),
      putKey: (t, apiKey) =>
        call(type(t), { method: "PUT", body: JSON.stringify({ apiKey } satisfies UserKeyRequest) }),
      testKey: (t) => call(`${type(t)}/test`, { method: "POST" }),
      deleteKey: (t) => call(type(t), { method: "DELETE" }),
      me: (signal) => call("", { signal }),
      usage: (days, signal) => call(`usage?days=${days}`, { signal }),
    };
  }, [environment, keycloak]);
}

/** A load's outcome: its value, or the sentence to show in the page. */
export type Loaded<T> = { value: T } | { error: string };

/**
 * For usePromise (which shows a rejected load on the route's error page): a failure becomes a value the page shows
 * in place, as our pages always did. A load whose signal was aborted (the page left, or a newer load started) still
 * rejects with an AbortError, which usePromise ignores.
 */
export async function settled<T>(promise: Promise<T>, signal: AbortSignal): Promise<Loaded<T>> {
  let outcome: Loaded<T>;
  try {
    outcome = { value: await promise };
  } catch (e) {
    outcome = { error: e instanceof Error ? e.message : String(e) };
  }
  if (signal.aborted) {
    throw new DOMException("The load was aborted", "AbortError");
  }
  return outcome;
}
