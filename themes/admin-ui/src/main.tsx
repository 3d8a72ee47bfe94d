import "@patternfly/patternfly/patternfly-addons.css";
import "@patternfly/react-core/dist/styles/base.css";
import "@keycloak/keycloak-admin-ui/styles.css";
import "./llm-gateway.css";

import { AdminUi, KeycloakProvider, routes } from "@keycloak/keycloak-admin-ui";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createHashRouter, Outlet, RouterProvider } from "react-router-dom";

import { environment } from "./environment";
import { i18n, loadSourceMessagesInDevelopment } from "./i18n";
import { LlmGatewayRoute } from "./llm/route";
import { LlmNavEntry } from "./llm/LlmNavEntry";

/*
 * The stock admin console (its App, header, navigation, every route) with one route added, /:realm/llm-gateway, and
 * its entry in the navigation. The pathless layout route puts the entry into the stock navigation on every page.
 */
const router = createHashRouter([
  {
    path: "/",
    element: (
      <KeycloakProvider environment={environment}>
        <AdminUi />
      </KeycloakProvider>
    ),
    errorElement: <>Error</>,
    children: [
      {
        element: (
          <>
            <LlmNavEntry />
            <Outlet />
          </>
        ),
        children: [...routes, LlmGatewayRoute],
      },
    ],
  },
]);

void i18n
  .init()
  .then(loadSourceMessagesInDevelopment)
  .then(() => {
    createRoot(document.getElementById("app")!).render(
      <StrictMode>
        <RouterProvider router={router} />
      </StrictMode>,
    );
  });
