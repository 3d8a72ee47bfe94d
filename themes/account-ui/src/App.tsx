import {
  Header,
  PageNav,
  routes as stockRoutes,
  useEnvironment,
  usePromise,
  type AccountEnvironment,
} from "@keycloak/keycloak-account-ui";
import {
  Button,
  EmptyState,
  EmptyStateBody,
  EmptyStateHeader,
  Page,
  PageSection,
  Spinner,
} from "@patternfly/react-core";
import { lazy, Suspense, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { createBrowserRouter, Outlet, RouterProvider, useRouteError, type RouteObject } from "react-router-dom";

import { joinPath } from "./environment";
import { useNavToggle } from "./useNavToggle";

const KeysPage = lazy(() => import("./keys/KeysPage"));
const UsagePage = lazy(() => import("./usage/UsagePage"));

/** Our pages, found by content.json like the stock ones (an entry's `id`, else its `path`). */
const llmRoutes: RouteObject[] = [
  { path: "llm-api-keys", element: <KeysPage /> },
  { path: "llm-usage", element: <UsagePage /> },
];

type MenuItem = {
  id?: string;
  label: string;
  path?: string;
  isVisible?: keyof AccountEnvironment["features"];
  children?: MenuItem[];
};

/** The routes of the menu entries that are visible, as the stock console does, so menu and pages always agree. */
function routesOf(items: MenuItem[], features: AccountEnvironment["features"]): RouteObject[] {
  const known = [...stockRoutes, ...llmRoutes];
  return items.flatMap((item): RouteObject[] => {
    if (item.isVisible && !features[item.isVisible]) {
      return [];
    }
    if (item.children) {
      return routesOf(item.children, features);
    }
    if (item.path === undefined) {
      return [];
    }
    const key = item.id ?? item.path;
    return [{ path: item.path, element: known.find((r) => r.path === key)?.element }];
  });
}

const Layout = () => {
  const navOpen = useNavToggle();
  return (
    <Page
      header={<Header />}
      sidebar={
        <div className="llm-nav" data-open={navOpen}>
          <PageNav />
        </div>
      }
    >
      <Suspense fallback={<Spinner />}>
        <Outlet />
      </Suspense>
    </Page>
  );
};

const RouteError = () => {
  const { t } = useTranslation();
  const error = useRouteError();
  return (
    <PageSection>
      <EmptyState>
        <EmptyStateHeader titleText={t("llmPageError")} headingLevel="h1" />
        <EmptyStateBody>{error instanceof Error ? error.message : String(error)}</EmptyStateBody>
        <Button variant="primary" onClick={() => location.reload()}>
          {t("llmReload")}
        </Button>
      </EmptyState>
    </PageSection>
  );
};

export const App = () => {
  const context = useEnvironment<AccountEnvironment>();
  const { environment } = context;
  const [content, setContent] = useState<MenuItem[]>();

  usePromise(async (signal) => {
    const response = await fetch(joinPath(environment.resourceUrl, "content.json"), { signal });
    return (await response.json()) as MenuItem[];
  }, setContent);

  const router = useMemo(
    () =>
      content &&
      createBrowserRouter([
        {
          path: decodeURIComponent(new URL(environment.baseUrl).pathname),
          element: <Layout />,
          errorElement: <RouteError />,
          children: routesOf(content, environment.features),
        },
      ]),
    [content, environment],
  );

  return router ? <RouterProvider router={router} /> : <Spinner />;
};
