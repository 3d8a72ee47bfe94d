import { useAlerts } from "@keycloak/keycloak-ui-shared";
import {
  Alert,
  AlertActionLink,
  AlertVariant,
  Button,
  EmptyState,
  EmptyStateBody,
  EmptyStateHeader,
  EmptyStateIcon,
  Grid,
  GridItem,
  PageSection,
  Skeleton,
  Spinner,
  ToggleGroup,
  ToggleGroupItem,
  Toolbar,
  ToolbarContent,
  ToolbarItem,
} from "@patternfly/react-core";
import { ChartLineIcon, DownloadIcon } from "@patternfly/react-icons";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { LLM_NS } from "../i18n";
import { AnalyticsCharts } from "./analytics/Charts";
import { Figures } from "./analytics/Figures";
import "./analytics/analytics.css";
import { useLlmPage } from "./context";
import { useLoad } from "./hooks";
import type { UsageAnalytics, UsagePeriod } from "./types";

const PERIODS: { id: UsagePeriod; label: string }[] = [
  { id: "7d", label: "llmAnalyticsPeriod7d" },
  { id: "30d", label: "llmAnalyticsPeriod30d" },
  { id: "90d", label: "llmAnalyticsPeriod90d" },
  { id: "all", label: "llmAnalyticsPeriodAll" },
];

const utcDate = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone: "UTC" });

/** Saves a Blob as a file: an object URL clicked through a temporary `<a download>`. */
function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.style.display = "none";
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Revoked a little later: some browsers read the URL only after click() returned.
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Usage analytics: the period's figures, calls over time, cost by provider, models, latency, top users and clients. */
export default function AnalyticsTab() {
  return <Analytics />;
}

function Analytics() {
  const { t } = useTranslation(LLM_NS);
  const { api } = useLlmPage();
  const { addAlert } = useAlerts();
  const [period, setPeriod] = useState<UsagePeriod>("30d");
  const [exporting, setExporting] = useState(false);
  const usage = useLoad((signal) => api.usage(period, signal), [api, period]);

  // While another period loads, the last one stays on screen (dimmed) so the charts move rather than blink.
  const shown = usage.value;
  const current = shown?.period === period;
  const failed = usage.error !== undefined && !usage.loading;

  const exportCsv = async () => {
    setExporting(true);
    try {
      const { blob, filename } = await api.exportCsv(period);
      saveBlob(blob, filename);
      addAlert(t("llmAnalyticsExportStarted", { filename }), AlertVariant.success);
    } catch (error) {
      addAlert(t("llmAnalyticsExportFailed"), AlertVariant.danger, (error as Error).message);
    } finally {
      setExporting(false);
    }
  };

  return (
    <PageSection className="llm-analytics" data-testid="llm-analytics">
      <Toolbar className="llm-analytics-toolbar" inset={{ default: "insetNone" }}>
        <ToolbarContent>
          <ToolbarItem>
            <ToggleGroup aria-label={t("llmAnalyticsPeriodLabel")} data-testid="llm-analytics-period">
              {PERIODS.map((p) => (
                <ToggleGroupItem
                  key={p.id}
                  text={t(p.label)}
                  buttonId={`llm-analytics-period-${p.id}`}
                  isSelected={period === p.id}
                  onChange={() => setPeriod(p.id)}
                  data-testid={`llm-analytics-period-${p.id}`}
                />
              ))}
            </ToggleGroup>
          </ToolbarItem>
          {usage.loading && shown && (
            <ToolbarItem alignSelf="center">
              <Spinner size="md" aria-label={t("llmLoading")} data-testid="llm-analytics-loading" />
            </ToolbarItem>
          )}
          {current && shown && (
            <ToolbarItem alignSelf="center" className="llm-analytics-range" data-testid="llm-analytics-range">
              {t("llmAnalyticsRange", {
                from: utcDate.format(new Date(shown.from)),
                to: utcDate.format(new Date(shown.to)),
              })}
            </ToolbarItem>
          )}
          <ToolbarItem align={{ default: "alignRight" }}>
            <Button
              variant="secondary"
              icon={<DownloadIcon />}
              onClick={() => void exportCsv()}
              isLoading={exporting}
              isDisabled={exporting}
              data-testid="llm-analytics-export"
            >
              {t("llmAnalyticsExport")}
            </Button>
          </ToolbarItem>
        </ToolbarContent>
      </Toolbar>

      {failed && (
        <Alert
          variant="danger"
          isInline
          title={t("llmAnalyticsLoadFailed")}
          actionLinks={<AlertActionLink onClick={usage.reload}>{t("llmAnalyticsRetry")}</AlertActionLink>}
          className="llm-analytics-error"
          data-testid="llm-analytics-error"
        >
          {usage.error?.message}
        </Alert>
      )}

      {shown && (current || usage.loading) ? (
        <div
          className={`llm-analytics-body${current ? "" : " llm-analytics-body--stale"}`}
          aria-busy={usage.loading}
          data-period={shown.period}
          data-testid="llm-analytics-content"
        >
          <Body data={shown} />
        </div>
      ) : (
        !failed && <Loading />
      )}
    </PageSection>
  );
}

const Body = ({ data }: { data: UsageAnalytics }) => {
  const { t } = useTranslation(LLM_NS);
  if (data.totals.calls === 0) {
    return (
      <EmptyState variant="sm" data-testid="llm-analytics-empty">
        <EmptyStateHeader
          titleText={t("llmAnalyticsEmptyTitle")}
          headingLevel="h2"
          icon={<EmptyStateIcon icon={ChartLineIcon} />}
        />
        <EmptyStateBody>{t("llmAnalyticsEmptyBody")}</EmptyStateBody>
      </EmptyState>
    );
  }
  return (
    <>
      <Figures totals={data.totals} />
      <AnalyticsCharts data={data} />
    </>
  );
};

const Loading = () => {
  const { t } = useTranslation(LLM_NS);
  return (
    <div data-testid="llm-analytics-skeleton">
      <Skeleton height="4.5rem" className="llm-analytics-figures" screenreaderText={t("llmLoading")} />
      <Grid hasGutter>
        <GridItem lg={7}>
          <Skeleton height="320px" />
        </GridItem>
        <GridItem lg={5}>
          <Skeleton height="320px" />
        </GridItem>
      </Grid>
    </div>
  );
};
