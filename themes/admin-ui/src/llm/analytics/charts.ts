import type { ChartConfiguration, ScriptableContext } from "chart.js";

import { formatCount, formatMs, formatUsd } from "../format";
import type { UsageAnalytics } from "../types";
import type { ChartTheme } from "./chartSetup";

/** The blue of the original page's line chart. */
export const BLUE = "rgb(59, 130, 246)";
const AMBER = "rgb(245, 158, 11)";
const VIOLET = "rgb(139, 92, 246)";

/** For providers without a colour of their own (or sharing one already taken): blue, green, amber, red, violet, … */
export const PALETTE = [
  "#3b82f6",
  "#22c55e",
  "#f59e0b",
  "#ef4444",
  "#8b5cf6",
  "#06b6d4",
  "#ec4899",
  "#84cc16",
  "#f97316",
  "#14b8a6",
];

/** Bucket start (UTC instant) as an axis label: hours in local time for 7d, UTC days for 30d/90d, months for all. */
export function bucketFormatter(bucket: UsageAnalytics["bucket"]): (iso: string) => string {
  const format =
    bucket === "hour"
      ? new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", hour: "numeric" })
      : bucket === "day"
        ? new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", timeZone: "UTC" })
        : new Intl.DateTimeFormat(undefined, { month: "short", year: "numeric", timeZone: "UTC" });
  return (iso) => format.format(new Date(iso));
}

/** Ticks, grid and legend in the theme's colours. */
function axis(theme: ChartTheme, extra: Record<string, unknown> = {}) {
  return {
    ticks: { color: theme.text },
    grid: { color: theme.grid },
    border: { color: theme.grid },
    ...extra,
  };
}

const legend = (theme: ChartTheme, position: "top" | "bottom" = "top") => ({
  position,
  labels: { color: theme.text, boxWidth: 12, boxHeight: 12 },
});

const withAlpha = (rgb: string, alpha: number) => rgb.replace("rgb(", "rgba(").replace(")", `, ${alpha})`);

export function callsChart(
  data: UsageAnalytics,
  theme: ChartTheme,
  labels: { calls: string; errors: string },
): ChartConfiguration<"line"> {
  const format = bucketFormatter(data.bucket);
  const dense = data.series.length > 45;
  const point = { pointRadius: dense ? 0 : 3, pointHoverRadius: 4, pointHitRadius: 8 };
  return {
    type: "line",
    data: {
      labels: data.series.map((s) => format(s.start)),
      datasets: [
        {
          label: labels.calls,
          data: data.series.map((s) => s.calls),
          borderColor: BLUE,
          pointBackgroundColor: BLUE,
          backgroundColor: (ctx: ScriptableContext<"line">) => {
            const { ctx: canvas, chartArea } = ctx.chart;
            if (!chartArea) return withAlpha(BLUE, 0.15);
            const gradient = canvas.createLinearGradient(0, chartArea.top, 0, chartArea.bottom);
            gradient.addColorStop(0, withAlpha(BLUE, theme.dark ? 0.45 : 0.35));
            gradient.addColorStop(1, withAlpha(BLUE, 0));
            return gradient;
          },
          fill: "origin",
          cubicInterpolationMode: "monotone",
          borderWidth: 2,
          ...point,
        },
        {
          label: labels.errors,
          data: data.series.map((s) => s.errors),
          borderColor: theme.danger,
          pointBackgroundColor: theme.danger,
          backgroundColor: theme.danger,
          fill: false,
          cubicInterpolationMode: "monotone",
          borderWidth: 2,
          ...point,
        },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: "index", intersect: false },
      scales: {
        x: axis(theme, {
          // A few buckets (months of a young realm): centred in their slots rather than on the edges.
          offset: data.series.length <= 12,
          ticks: { color: theme.text, maxRotation: 0, autoSkipPadding: 16 },
          grid: { display: false },
        }),
        y: axis(theme, { beginAtZero: true, ticks: { color: theme.text, precision: 0 } }),
      },
      plugins: {
        legend: legend(theme),
        tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${formatCount(item.parsed.y ?? 0)}` } },
      },
    },
  };
}

export type Slice = { label: string; value: number; color: string };

export function costChart(slices: Slice[], theme: ChartTheme): ChartConfiguration<"doughnut"> {
  const total = slices.reduce((sum, s) => sum + s.value, 0);
  return {
    type: "doughnut",
    data: {
      labels: slices.map((s) => s.label),
      datasets: [
        {
          data: slices.map((s) => s.value),
          backgroundColor: slices.map((s) => s.color),
          borderColor: theme.background,
          borderWidth: slices.length > 1 ? 2 : 0,
          hoverOffset: 6,
        },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      cutout: "55%",
      plugins: {
        legend: legend(theme, "bottom"),
        tooltip: {
          callbacks: {
            label: (item) => {
              const value = Number(item.raw ?? 0);
              const share = total > 0 ? ` (${((value / total) * 100).toFixed(1)} %)` : "";
              return ` ${formatUsd(value)}${share}`;
            },
          },
        },
      },
    },
  };
}

export function modelsChart(
  models: { label: string; calls: number }[],
  theme: ChartTheme,
  callsLabel: string,
): ChartConfiguration<"bar"> {
  return {
    type: "bar",
    data: {
      labels: models.map((m) => m.label),
      datasets: [
        {
          label: callsLabel,
          data: models.map((m) => m.calls),
          backgroundColor: withAlpha(VIOLET, 0.8),
          borderColor: VIOLET,
          borderWidth: 1,
          borderRadius: 3,
          maxBarThickness: 28,
        },
      ],
    },
    options: {
      indexAxis: "y",
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        x: axis(theme, { beginAtZero: true, ticks: { color: theme.text, precision: 0 } }),
        y: axis(theme, { grid: { display: false } }),
      },
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: (item) => ` ${callsLabel}: ${formatCount(item.parsed.x ?? 0)}` } },
      },
    },
  };
}

export function latencyChart(
  providers: { label: string; p50?: number; p95?: number }[],
  theme: ChartTheme,
  labels: { p50: string; p95: string; axis: string },
): ChartConfiguration<"bar"> {
  return {
    type: "bar",
    data: {
      labels: providers.map((p) => p.label),
      datasets: [
        {
          label: labels.p50,
          data: providers.map((p) => p.p50 ?? null) as number[],
          backgroundColor: withAlpha(BLUE, 0.85),
          borderRadius: 3,
          maxBarThickness: 36,
        },
        {
          label: labels.p95,
          data: providers.map((p) => p.p95 ?? null) as number[],
          backgroundColor: withAlpha(AMBER, 0.85),
          borderRadius: 3,
          maxBarThickness: 36,
        },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        x: axis(theme, { grid: { display: false } }),
        y: axis(theme, {
          beginAtZero: true,
          title: { display: true, text: labels.axis, color: theme.textSecondary },
          ticks: { color: theme.text, callback: (value: number | string) => formatMs(Number(value)) },
        }),
      },
      plugins: {
        legend: legend(theme),
        tooltip: {
          callbacks: { label: (item) => `${item.dataset.label}: ${formatMs(item.parsed.y ?? undefined)}` },
        },
      },
    },
  };
}
