import type { ProviderType } from "../types";

/** A provider type's display name ("OpenAI") and colour, or its id when the types are not loaded. */
export function typeInfo(types: ProviderType[] | undefined, id: string): { name: string; color?: string } {
  const type = types?.find((p) => p.id === id);
  return { name: type?.name ?? id, color: type?.color };
}

/** Type ids in the order the API lists the types (the types it does not know last, by id). */
export function sortTypes(types: ProviderType[] | undefined, ids: Iterable<string>): string[] {
  const order = (id: string) => {
    const i = types?.findIndex((p) => p.id === id) ?? -1;
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  return [...new Set(ids)].sort((a, b) => order(a) - order(b) || a.localeCompare(b));
}
