import { useAccess } from "@keycloak/keycloak-admin-ui";
import { createContext, useContext, type PropsWithChildren } from "react";

import { useLlmAdminApi, type LlmAdminApi } from "./api";
import { useLoad, type Loaded } from "./hooks";
import type { Provider, ProviderType } from "./types";

/** What every part of the page shares: the API, the realm's providers and types, and what the admin may do. */
export type LlmPage = {
  api: LlmAdminApi;
  providers: Loaded<Provider[]>;
  providerTypes: Loaded<ProviderType[]>;
  /** manage-realm: edit controls are shown. */
  canManage: boolean;
  /** view-users: lists of users are shown. */
  canViewUsers: boolean;
  /** Opens the add (no provider) or configure provider dialog. */
  openProviderModal: (provider?: Provider) => void;
  /** Loads the statistics cards again (after a change that moves them). */
  refreshStats: () => void;
};

const LlmPageContext = createContext<LlmPage | undefined>(undefined);

export function useLlmPage(): LlmPage {
  const page = useContext(LlmPageContext);
  if (!page) {
    throw new Error("useLlmPage outside the LLM Gateway page");
  }
  return page;
}

export function LlmPageProvider({
  children,
  openProviderModal,
  refreshStats,
}: PropsWithChildren<Pick<LlmPage, "openProviderModal" | "refreshStats">>) {
  const api = useLlmAdminApi();
  const { hasAccess } = useAccess();
  const providers = useLoad((signal) => api.providers(signal), [api]);
  const providerTypes = useLoad((signal) => api.providerTypes(signal), [api]);
  return (
    <LlmPageContext.Provider
      value={{
        api,
        providers,
        providerTypes,
        canManage: hasAccess("manage-realm"),
        canViewUsers: hasAccess("view-users"),
        openProviderModal,
        refreshStats,
      }}
    >
      {children}
    </LlmPageContext.Provider>
  );
}
