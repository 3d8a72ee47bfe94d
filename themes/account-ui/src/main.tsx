import "@patternfly/patternfly/patternfly-addons.css";
import "@patternfly/react-core/dist/styles/base.css";
import "@keycloak/keycloak-account-ui/styles.css";
import "./llm-gateway.css";

import { KeycloakProvider } from "@keycloak/keycloak-account-ui";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { App } from "./App";
import { environment } from "./environment";
import { i18n } from "./i18n";

void i18n.init().then(() => {
  createRoot(document.getElementById("app")!).render(
    <StrictMode>
      <KeycloakProvider environment={environment}>
        <App />
      </KeycloakProvider>
    </StrictMode>,
  );
});
