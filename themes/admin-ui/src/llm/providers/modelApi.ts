import type { LlmAdminApi } from "../api";
import type { ModelOverride, ModelView } from "../types";

/**
 * PUT /providers/{id}/models/{model id}. The model id goes into the path as is, slashes included
 * (`…/models/openai/gpt-4o-mini`), so each of its segments is encoded on its own.
 */
export function saveModel(
  api: LlmAdminApi,
  providerId: string,
  modelId: string,
  override: ModelOverride,
): Promise<ModelView> {
  const modelPath = modelId.split("/").map(encodeURIComponent).join("/");
  return api
    .request<{ success: boolean; model: ModelView }>(
      "PUT",
      `providers/${encodeURIComponent(providerId)}/models/${modelPath}`,
      override,
    )
    .then((r) => r.model);
}

/** The name a new provider of this type gets by default: the vendor's name, numbered when taken (as the server). */
export function defaultProviderName(typeName: string, taken: string[]): string {
  const names = new Set(taken);
  if (!names.has(typeName)) {
    return typeName;
  }
  let i = 2;
  while (names.has(`${typeName} ${i}`)) i++;
  return `${typeName} ${i}`;
}

const perMillion = new Intl.NumberFormat(undefined, {
  style: "currency",
  currency: "USD",
  minimumFractionDigits: 2,
  maximumFractionDigits: 6,
});

/** A price in USD per 1M tokens, with the digits it has (at least cents): $2.50, $0.075. */
export function formatPrice(usd: number): string {
  return perMillion.format(usd);
}
