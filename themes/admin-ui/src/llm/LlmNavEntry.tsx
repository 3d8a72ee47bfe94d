import { useAccess, useRealm } from "@keycloak/keycloak-admin-ui";
import { useEffect, useState } from "react";
import { createPortal } from "react-dom";
import { useTranslation } from "react-i18next";
import { NavLink } from "react-router-dom";

import { LLM_NS } from "../i18n";

/** The stock navigation's sidebar, and the item every group list of it is made of. */
const STOCK_NAV = ".keycloak__page_nav__nav .pf-v5-c-nav";
const GROUP_LIST = "section.pf-v5-c-nav__section ul";

/**
 * "LLM Gateway" as the last item of the stock navigation's last group ("Configure"). The stock PageNav takes no
 * extra entries through the library's API, so this renders into it through a portal: a list item it appends to that
 * group and puts back whenever the navigation is rendered anew. Recheck on Keycloak upgrades: the sidebar keeps the
 * class `keycloak__page_nav__nav` and PatternFly's nav group markup (browser test: admin-console.mjs).
 */
export const LlmNavEntry = () => {
  const { t } = useTranslation(LLM_NS);
  const { realm } = useRealm();
  const { hasAccess } = useAccess();
  const [host, setHost] = useState<HTMLLIElement | null>(null);
  const allowed = hasAccess("view-realm");

  useEffect(() => {
    if (!allowed) {
      return;
    }
    const item = document.createElement("li");
    item.className = "pf-v5-c-nav__item";
    item.dataset.testid = "nav-item-llm-gateway";
    const attach = () => {
      const groups = document.querySelectorAll<HTMLUListElement>(`${STOCK_NAV} ${GROUP_LIST}`);
      const last = groups[groups.length - 1];
      // Last item of the last group (appending moves it there from wherever it was).
      if (last && last.lastElementChild !== item) {
        last.appendChild(item);
      }
    };
    attach();
    setHost(item);
    const observer = new MutationObserver(attach);
    observer.observe(document.body, { childList: true, subtree: true });
    return () => {
      observer.disconnect();
      item.remove();
      setHost(null);
    };
  }, [allowed]);

  if (!host) {
    return null;
  }
  return createPortal(
    <NavLink
      id="nav-item-llm-gateway"
      to={`/${encodeURIComponent(realm)}/llm-gateway`}
      className={({ isActive }) => `pf-v5-c-nav__link${isActive ? " pf-m-current" : ""}`}
    >
      {t("llmGateway")}
    </NavLink>,
    host,
  );
};
