import type { TFunction } from "i18next";
import { lazy } from "react";
import type { NonIndexRouteObject } from "react-router-dom";

import { LLM_NS } from "../i18n";

const LlmGatewaySection = lazy(() => import("./LlmGatewaySection"));

/**
 * `#/{realm}/llm-gateway` (and its sub-views, `#/{realm}/llm-gateway/{tab}`), for admins who may view the realm. The
 * handle is what the stock console reads from its own routes: the access its permission check requires and the
 * breadcrumb.
 */
export const LlmGatewayRoute: NonIndexRouteObject & {
  handle: { access: "view-realm"; breadcrumb: (t: TFunction) => string };
} = {
  path: "/:realm/llm-gateway/:tab?",
  element: <LlmGatewaySection />,
  handle: {
    access: "view-realm",
    breadcrumb: (t) => t("llmGateway", { ns: LLM_NS }),
  },
};
