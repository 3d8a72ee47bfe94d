import { createInstance } from "i18next";
import FetchBackend from "i18next-fetch-backend";
import { initReactI18next } from "react-i18next";

import { environment, joinPath } from "./environment";

/**
 * The namespace of the LLM Gateway page's texts (theme/llm-gateway/admin/messages). They are read from the login
 * realm's admin theme, which is ours whenever this code runs, so they are there whichever realm is being managed.
 */
export const LLM_NS = "llm-gateway";

type Message = { key: string; value: string };

// As the stock console: one namespace per managed realm (its admin messages with the realm's own overrides).
export const i18n = createInstance({
  fallbackLng: "en",
  keySeparator: ".",
  nsSeparator: false,
  interpolation: { escapeValue: false },
  defaultNS: [environment.realm],
  ns: [environment.realm, LLM_NS],
  backend: {
    loadPath: (_languages: string | string[], namespaces: string | string[]) =>
      joinPath(
        environment.adminBaseUrl,
        `resources/${[namespaces].flat()[0] === LLM_NS ? environment.realm : "{{ns}}"}/admin/{{lng}}`,
      ),
    parse: (data: string) => Object.fromEntries((JSON.parse(data) as Message[]).map(({ key, value }) => [key, value])),
  },
});

i18n.use(FetchBackend).use(initReactI18next);

/**
 * Development server only (`npm run dev`): the page's texts straight from the theme's messages_en.properties, so a
 * new text shows without rebuilding the jar. Never part of the built theme.
 */
export async function loadSourceMessagesInDevelopment(): Promise<void> {
  if (!import.meta.env.DEV) {
    return;
  }
  const source = await import("../../src/main/resources/theme/llm-gateway/admin/messages/messages_en.properties?raw");
  const messages: Record<string, string> = {};
  for (const line of source.default.split("\n")) {
    const match = /^\s*([^#!=\s][^=]*?)\s*=\s*(.*)$/.exec(line);
    if (match) {
      messages[match[1]] = match[2].replace(/''/g, "'");
    }
  }
  i18n.addResourceBundle("en", LLM_NS, messages, true, true);
}
