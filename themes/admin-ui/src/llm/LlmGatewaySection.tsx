import { AlertProvider } from "@keycloak/keycloak-ui-shared";
import {
  Alert,
  Button,
  PageSection,
  Spinner,
  Split,
  SplitItem,
  Tab,
  Tabs,
  TabTitleText,
  Text,
  TextContent,
  Title,
} from "@patternfly/react-core";
import { PlusIcon } from "@patternfly/react-icons";
import { lazy, Suspense, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate, useParams } from "react-router-dom";

import { LLM_NS } from "../i18n";
import { useLlmAdminApi } from "./api";
import { LlmPageProvider, useLlmPage } from "./context";
import { useLoad, useWhileVisible, type Loaded } from "./hooks";
import { ProvidersTab } from "./ProvidersTab";
import { StatsCards } from "./StatsCards";
import type { Provider, Stats } from "./types";

// Loaded when first shown: the dialog, and the tabs other than the first (the analytics tab brings Chart.js).
const ProviderModal = lazy(() => import("./ProviderModal"));
const RoutingTab = lazy(() => import("./RoutingTab"));
const PowerLevelsTab = lazy(() => import("./PowerLevelsTab"));
const ByokTab = lazy(() => import("./ByokTab"));
const AnalyticsTab = lazy(() => import("./AnalyticsTab"));

const TABS = ["providers", "routing", "power-levels", "byok", "analytics"] as const;
type TabKey = (typeof TABS)[number];

const STATS_REFRESH_MS = 30_000;

/** `#/{realm}/llm-gateway[/{tab}]`: the LLM Gateway page. */
export default function LlmGatewaySection() {
  const api = useLlmAdminApi();
  const stats = useLoad((signal) => api.stats(signal), [api]);
  useWhileVisible(stats.reload, STATS_REFRESH_MS);
  // undefined: closed; null: adding; a provider: configuring it.
  const [modal, setModal] = useState<Provider | null | undefined>(undefined);

  // The console library has its own built-in copy of the shared UI library, whose alert context our copy cannot see:
  // the page's alerts get their own provider (same toasts, the console's style).
  return (
    <AlertProvider>
      <LlmPageProvider openProviderModal={(p) => setModal(p ?? null)} refreshStats={stats.reload}>
        <Page stats={stats} />
        {modal !== undefined && (
          <Suspense fallback={null}>
            <ProviderModalHost provider={modal ?? undefined} onClose={() => setModal(undefined)} />
          </Suspense>
        )}
      </LlmPageProvider>
    </AlertProvider>
  );
}

const ProviderModalHost = ({ provider, onClose }: { provider?: Provider; onClose: () => void }) => {
  const { providers, refreshStats } = useLlmPage();
  return (
    <ProviderModal
      provider={provider}
      onClose={onClose}
      onSaved={() => {
        providers.reload();
        refreshStats();
      }}
    />
  );
};

const Page = ({ stats }: { stats: Loaded<Stats> }) => {
  const { t } = useTranslation(LLM_NS);
  const { tab, realm } = useParams<{ tab?: string; realm: string }>();
  const navigate = useNavigate();
  const { canManage, openProviderModal } = useLlmPage();
  const active: TabKey = TABS.includes(tab as TabKey) ? (tab as TabKey) : "providers";

  return (
    <>
      <PageSection variant="light" className="llm-header">
        <Split hasGutter>
          <SplitItem isFilled>
            <TextContent>
              <Title headingLevel="h1" data-testid="llm-page-title">
                {t("llmPageTitle")}
              </Title>
              <Text>{t("llmPageSubtitle")}</Text>
            </TextContent>
          </SplitItem>
          {canManage && (
            <SplitItem>
              <Button icon={<PlusIcon />} onClick={() => openProviderModal()} data-testid="llm-add-provider">
                {t("llmAddProvider")}
              </Button>
            </SplitItem>
          )}
        </Split>
      </PageSection>
      <PageSection>
        {stats.error && !stats.value ? (
          <Alert variant="danger" isInline title={t("llmStatsFailed")} data-testid="llm-stats-error">
            {stats.error.message}
          </Alert>
        ) : (
          <StatsCards stats={stats} />
        )}
      </PageSection>
      <PageSection variant="light" padding={{ default: "noPadding" }}>
        <Tabs
          activeKey={active}
          onSelect={(_e, key) => navigate(`/${encodeURIComponent(realm ?? "")}/llm-gateway/${key}`)}
          mountOnEnter
          unmountOnExit
          inset={{ default: "insetMd" }}
          data-testid="llm-tabs"
        >
          <Tab
            eventKey="providers"
            title={<TabTitleText>{t("llmTabProviders")}</TabTitleText>}
            data-testid="llm-tab-providers"
          >
            <ProvidersTab />
          </Tab>
          <Tab
            eventKey="routing"
            title={<TabTitleText>{t("llmTabRouting")}</TabTitleText>}
            data-testid="llm-tab-routing"
          >
            <Lazy>
              <RoutingTab />
            </Lazy>
          </Tab>
          <Tab
            eventKey="power-levels"
            title={<TabTitleText>{t("llmTabPowerLevels")}</TabTitleText>}
            data-testid="llm-tab-power-levels"
          >
            <Lazy>
              <PowerLevelsTab />
            </Lazy>
          </Tab>
          <Tab eventKey="byok" title={<TabTitleText>{t("llmTabByok")}</TabTitleText>} data-testid="llm-tab-byok">
            <Lazy>
              <ByokTab />
            </Lazy>
          </Tab>
          <Tab
            eventKey="analytics"
            title={<TabTitleText>{t("llmTabAnalytics")}</TabTitleText>}
            data-testid="llm-tab-analytics"
          >
            <Lazy>
              <AnalyticsTab />
            </Lazy>
          </Tab>
        </Tabs>
      </PageSection>
    </>
  );
};

const Lazy = ({ children }: { children: ReactNode }) => (
  <Suspense
    fallback={
      <PageSection>
        <Spinner size="lg" />
      </PageSection>
    }
  >
    {children}
  </Suspense>
);
