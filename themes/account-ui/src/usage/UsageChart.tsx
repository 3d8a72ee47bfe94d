import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from "chart.js";
import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";

import type { Usage } from "../api/types";
import { formatShortDay } from "../format";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

/** Calls per day, stacked: through the organisation's keys, and through the user's own keys. */
export const UsageChart = ({ usage }: { usage: Usage }) => {
  const { t } = useTranslation();
  const canvas = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const dark = document.documentElement.classList.contains("pf-v5-theme-dark");
    const text = dark ? "#e0e0e0" : "#151515";
    const grid = dark ? "rgba(255,255,255,0.12)" : "rgba(0,0,0,0.08)";
    const chart = new Chart(canvas.current!, {
      type: "bar",
      data: {
        labels: usage.days.map((d) => formatShortDay(d.day)),
        datasets: [
          {
            label: t("llmUsageOrgKeyCalls"),
            data: usage.days.map((d) => d.calls - d.byok_calls),
            backgroundColor: "#0066cc",
            stack: "calls",
          },
          {
            label: t("llmUsageOwnKeyCalls"),
            data: usage.days.map((d) => d.byok_calls),
            backgroundColor: "#5ba352",
            stack: "calls",
          },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { stacked: true, ticks: { color: text, maxRotation: 0, autoSkipPadding: 8 }, grid: { display: false } },
          y: { stacked: true, beginAtZero: true, ticks: { color: text, precision: 0 }, grid: { color: grid } },
        },
        plugins: { legend: { labels: { color: text } } },
      },
    });
    return () => chart.destroy();
  }, [usage, t]);

  return (
    <div className="llm-chart">
      <canvas
        ref={canvas}
        role="img"
        data-testid="llm-usage-chart"
        aria-label={t("llmUsageChartLabel", { from: usage.from, to: usage.to })}
      />
    </div>
  );
};
