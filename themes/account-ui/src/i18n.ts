import { createInstance, type LanguageDetectorModule } from "i18next";
import FetchBackend from "i18next-fetch-backend";
import { initReactI18next } from "react-i18next";

import { environment, joinPath } from "./environment";

// The messages of the realm's account theme: ours (messages_en.properties) merged over keycloak.v3's.
type Message = { key: string; value: string };

const keycloakLocale: LanguageDetectorModule = {
  type: "languageDetector",
  detect: () => environment.locale,
};

export const i18n = createInstance({
  fallbackLng: "en",
  nsSeparator: false,
  interpolation: { escapeValue: false },
  backend: {
    loadPath: joinPath(environment.serverBaseUrl, `resources/${environment.realm}/account/{{lng}}`),
    parse: (data: string) => Object.fromEntries((JSON.parse(data) as Message[]).map(({ key, value }) => [key, value])),
  },
});

i18n.use(FetchBackend).use(keycloakLocale).use(initReactI18next);
