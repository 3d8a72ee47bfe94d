import { Card, CardBody, CardTitle, Grid, GridItem, Text, TextContent, Title } from "@patternfly/react-core";
import { useMemo, type ReactNode } from "react";
import { useTranslation } from "react-i18next";

import { LLM_NS } from "../../i18n";
import { useLlmPage } from "../context";
import { formatCount, formatMs, formatRate, formatUsd } from "../format";
import type { UsageAnalytics } from "../types";
import { ChartCanvas } from "./ChartCanvas";
import { useChartTheme } from "./chartSetup";
import { callsChart, costChart, latencyChart, modelsChart, PALETTE, type Slice } from "./charts";
import { UsageTable, type Column } from "./UsageTable";

type ProviderRow = UsageAnalytics["by_provider"][number];
type UserRow = NonNullable<UsageAnalytics["top_users"]>[number];
type ClientRow = UsageAnalytics["top_clients"][number];

const MAX_MODELS = 10;

/** A provider's colour: its own (from /providers), else its type's, else the next palette colour not yet taken. */
function useProviderColours(rows: ProviderRow[]): Map<ProviderRow, string> {
  const { providers, providerTypes } = useLlmPage();
  return useMemo(() => {
    const taken = new Set<string>();
    const colours = new Map<ProviderRow, string>();
    const pending: ProviderRow[] = [];
    for (const row of rows) {
      const own =
        providers.value?.find((p) => p.id === row.provider_id)?.color ??
        providerTypes.value?.find((type) => type.id === row.type)?.color;
      if (own && !taken.has(own.toLowerCase())) {
        taken.add(own.toLowerCase());
        colours.set(row, own);
      } else {
        pending.push(row);
      }
    }
    let next = 0;
    for (const row of pending) {
      while (next < PALETTE.length - 1 && taken.has(PALETTE[next])) next++;
      const colour = PALETTE[next % PALETTE.length];
      taken.add(colour);
      colours.set(row, colour);
      next++;
    }
    return colours;
  }, [rows, providers.value, providerTypes.value]);
}

const ChartCard = ({ title, testId, children }: { title: string; testId?: string; children: ReactNode }) => (
  <Card isFullHeight className="llm-analytics-card" data-testid={testId}>
    <CardTitle>
      <Title headingLevel="h3" size="md">
        {title}
      </Title>
    </CardTitle>
    <CardBody>{children}</CardBody>
  </Card>
);

const Note = ({ children, testId }: { children: ReactNode; testId?: string }) => (
  <TextContent className="llm-analytics-note" data-testid={testId}>
    <Text component="small">{children}</Text>
  </TextContent>
);

/** The charts and tables of one period that had calls. */
export const AnalyticsCharts = ({ data }: { data: UsageAnalytics }) => {
  const { t } = useTranslation(LLM_NS);
  const { canViewUsers } = useLlmPage();
  const theme = useChartTheme();
  const colours = useProviderColours(data.by_provider);
  const providerName = (row: ProviderRow) => row.name ?? t("llmAnalyticsDeletedProvider");

  const calls = useMemo(
    () => callsChart(data, theme, { calls: t("llmAnalyticsSeriesCalls"), errors: t("llmAnalyticsSeriesErrors") }),
    [data, theme, t],
  );
  const bucketName = t(
    data.bucket === "hour"
      ? "llmAnalyticsBucketHour"
      : data.bucket === "day"
        ? "llmAnalyticsBucketDay"
        : "llmAnalyticsBucketMonth",
  );

  const slices: Slice[] = useMemo(
    () =>
      data.by_provider
        .filter((p) => p.cost > 0)
        .sort((a, b) => b.cost - a.cost)
        .map((p) => ({ label: providerName(p), value: p.cost, color: colours.get(p) ?? PALETTE[0] })),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [data, colours, t],
  );
  const cost = useMemo(() => costChart(slices, theme), [slices, theme]);

  const models = useMemo(
    () =>
      [...data.by_model]
        .sort((a, b) => b.calls - a.calls)
        .slice(0, MAX_MODELS)
        .map((m) => ({ label: m.model ?? t("llmAnalyticsUnknownModel"), calls: m.calls })),
    [data, t],
  );
  const modelsConfig = useMemo(() => modelsChart(models, theme, t("llmAnalyticsSeriesCalls")), [models, theme, t]);

  const providersByCalls = useMemo(() => [...data.by_provider].sort((a, b) => b.calls - a.calls), [data]);
  const latencyRows = providersByCalls.filter((p) => p.latency_p50_ms !== undefined || p.latency_p95_ms !== undefined);
  const latency = useMemo(
    () =>
      latencyChart(
        providersByCalls
          .filter((p) => p.latency_p50_ms !== undefined || p.latency_p95_ms !== undefined)
          .map((p) => ({ label: providerName(p), p50: p.latency_p50_ms, p95: p.latency_p95_ms })),
        theme,
        { p50: t("llmAnalyticsP50"), p95: t("llmAnalyticsP95"), axis: t("llmAnalyticsLatencyAxis") },
      ),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [providersByCalls, theme, t],
  );

  const providerColumns: Column<ProviderRow>[] = [
    {
      key: "provider",
      title: t("llmAnalyticsColProvider"),
      cell: (p) => (
        <span className="llm-analytics-provider">
          <span className="llm-analytics-swatch" style={{ background: colours.get(p) }} aria-hidden />
          {providerName(p)}
        </span>
      ),
    },
    { key: "calls", title: t("llmAnalyticsColCalls"), numeric: true, cell: (p) => formatCount(p.calls) },
    {
      key: "success",
      title: t("llmAnalyticsColSuccess"),
      numeric: true,
      cell: (p) => (
        <span className={p.success_rate !== undefined && p.success_rate < 0.95 ? "llm-bad" : undefined}>
          {formatRate(p.success_rate)}
        </span>
      ),
    },
    { key: "p50", title: t("llmAnalyticsColP50"), numeric: true, cell: (p) => formatMs(p.latency_p50_ms) },
    { key: "p95", title: t("llmAnalyticsColP95"), numeric: true, cell: (p) => formatMs(p.latency_p95_ms) },
    {
      key: "fallbacks",
      title: t("llmAnalyticsColFallbacks"),
      numeric: true,
      cell: (p) => formatCount(p.fallback_calls),
    },
  ];

  const tokens = (r: { prompt_tokens: number; completion_tokens: number }) =>
    formatCount(r.prompt_tokens + r.completion_tokens);
  const userColumns: Column<UserRow>[] = [
    {
      key: "user",
      title: t("llmAnalyticsColUser"),
      cell: (u) =>
        u.username ?? (
          <span className="llm-analytics-secondary" title={u.user_id}>
            {t("llmAnalyticsDeletedUser")}
          </span>
        ),
    },
    { key: "calls", title: t("llmAnalyticsColCalls"), numeric: true, cell: (u) => formatCount(u.calls) },
    { key: "tokens", title: t("llmAnalyticsColTokens"), numeric: true, cell: tokens },
    { key: "cost", title: t("llmAnalyticsColCost"), numeric: true, cell: (u) => formatUsd(u.cost) },
    { key: "byok", title: t("llmAnalyticsColByok"), numeric: true, cell: (u) => formatCount(u.byok_calls) },
  ];
  const clientColumns: Column<ClientRow>[] = [
    { key: "client", title: t("llmAnalyticsColClient"), cell: (c) => c.client_id ?? t("llmAnalyticsUnknownClient") },
    { key: "calls", title: t("llmAnalyticsColCalls"), numeric: true, cell: (c) => formatCount(c.calls) },
    { key: "tokens", title: t("llmAnalyticsColTokens"), numeric: true, cell: tokens },
    { key: "cost", title: t("llmAnalyticsColCost"), numeric: true, cell: (c) => formatUsd(c.cost) },
  ];

  const showUsers = canViewUsers && data.top_users !== undefined;

  return (
    <Grid hasGutter>
      <GridItem lg={7}>
        <ChartCard title={t("llmAnalyticsCallsTitle")}>
          <ChartCanvas
            config={calls}
            height={280}
            testId="llm-analytics-calls-chart"
            label={t("llmAnalyticsCallsAria", {
              bucket: bucketName,
              calls: formatCount(data.totals.calls),
              errors: formatCount(data.totals.errors),
            })}
          />
        </ChartCard>
      </GridItem>
      <GridItem lg={5}>
        <ChartCard title={t("llmAnalyticsCostTitle")}>
          {slices.length === 0 ? (
            <Note testId="llm-analytics-no-cost">{t("llmAnalyticsNoCost")}</Note>
          ) : (
            <ChartCanvas
              config={cost}
              height={280}
              testId="llm-analytics-cost-chart"
              label={t("llmAnalyticsCostAria", {
                list: slices.map((s) => `${s.label} ${formatUsd(s.value)}`).join(", "),
              })}
            />
          )}
        </ChartCard>
      </GridItem>
      <GridItem lg={6}>
        <ChartCard title={t("llmAnalyticsModelsTitle")}>
          <ChartCanvas
            config={modelsConfig}
            height={Math.max(160, models.length * 34 + 48)}
            testId="llm-analytics-models-chart"
            label={t("llmAnalyticsModelsAria", {
              list: models.map((m) => `${m.label} ${formatCount(m.calls)}`).join(", "),
            })}
          />
          {data.by_model.length > MAX_MODELS && (
            <Note>{t("llmAnalyticsModelsMore", { shown: MAX_MODELS, total: data.by_model.length })}</Note>
          )}
        </ChartCard>
      </GridItem>
      <GridItem lg={6}>
        <ChartCard title={t("llmAnalyticsLatencyTitle")} testId="llm-analytics-latency">
          {latencyRows.length > 0 && (
            <ChartCanvas
              config={latency}
              height={Math.max(180, Math.min(260, 120 + latencyRows.length * 20))}
              testId="llm-analytics-latency-chart"
              label={t("llmAnalyticsLatencyAria", {
                list: latencyRows
                  .map((p) => `${providerName(p)} p50 ${formatMs(p.latency_p50_ms)}, p95 ${formatMs(p.latency_p95_ms)}`)
                  .join("; "),
              })}
            />
          )}
          <UsageTable
            columns={providerColumns}
            rows={providersByCalls}
            rowKey={(p, i) => p.provider_id ?? `deleted-${i}`}
            label={t("llmAnalyticsLatencyTitle")}
            testId="llm-analytics-providers-table"
          />
        </ChartCard>
      </GridItem>
      {showUsers && (
        <GridItem lg={6}>
          <ChartCard title={t("llmAnalyticsTopUsers")} testId="llm-analytics-top-users">
            <UsageTable
              columns={userColumns}
              rows={data.top_users ?? []}
              rowKey={(u, i) => u.user_id ?? `deleted-${i}`}
              label={t("llmAnalyticsTopUsers")}
              testId="llm-analytics-top-users-table"
            />
          </ChartCard>
        </GridItem>
      )}
      <GridItem lg={showUsers ? 6 : 12}>
        <ChartCard title={t("llmAnalyticsTopClients")} testId="llm-analytics-top-clients">
          {data.top_clients.length === 0 ? (
            <Note>{t("llmAnalyticsNoClients")}</Note>
          ) : (
            <UsageTable
              columns={clientColumns}
              rows={data.top_clients}
              rowKey={(c, i) => c.client_id ?? `unknown-${i}`}
              label={t("llmAnalyticsTopClients")}
              testId="llm-analytics-top-clients-table"
            />
          )}
        </ChartCard>
      </GridItem>
    </Grid>
  );
};
