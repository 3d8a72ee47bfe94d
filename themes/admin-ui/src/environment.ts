import type { AdminEnvironment } from "@keycloak/keycloak-admin-ui";
import { getInjectedEnvironment } from "@keycloak/keycloak-ui-shared";

/** What Keycloak's admin index.ftl injects into the page as JSON (server URL, login realm, client, console URL …). */
export const environment = getInjectedEnvironment<AdminEnvironment>();

/** Joins URL parts with exactly one slash between them. */
export function joinPath(...parts: string[]): string {
  return parts
    .map((part, i) => {
      let p = part;
      if (i > 0) p = p.replace(/^\/+/, "");
      if (i < parts.length - 1) p = p.replace(/\/+$/, "");
      return p;
    })
    .join("/");
}
