import {
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  DoughnutController,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from "chart.js";
import { useEffect, useState } from "react";

/*
 * Chart.js as the analytics tab uses it: only the pieces its four charts need (tree-shaken, no chart.js/auto), and
 * the console's colours read from PatternFly's CSS variables so the charts follow the light and dark theme.
 */
Chart.register(
  LineController,
  LineElement,
  PointElement,
  Filler,
  DoughnutController,
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  Tooltip,
  Legend,
);

export { Chart };

/** The colours and font the charts take from the console's theme. */
export type ChartTheme = {
  dark: boolean;
  /** Labels, legends, ticks. */
  text: string;
  /** Secondary text (axis titles). */
  textSecondary: string;
  /** Grid lines and axis borders. */
  grid: string;
  /** The cards' background: the gaps between doughnut slices. */
  background: string;
  danger: string;
  fontFamily: string;
};

const DARK_CLASS = "pf-v5-theme-dark";

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  return style.getPropertyValue(name).trim() || fallback;
}

/** Reads the theme from `<html>`; the console's font becomes Chart.js's default (before any chart is drawn). */
export function readChartTheme(): ChartTheme {
  const root = document.documentElement;
  const style = getComputedStyle(root);
  const dark = root.classList.contains(DARK_CLASS);
  const theme: ChartTheme = {
    dark,
    text: cssVar(style, "--pf-v5-global--Color--100", dark ? "#e0e0e0" : "#151515"),
    textSecondary: cssVar(style, "--pf-v5-global--Color--200", dark ? "#aaabac" : "#6a6e73"),
    grid: cssVar(style, "--pf-v5-global--BorderColor--100", dark ? "#444548" : "#d2d2d2"),
    background: cssVar(style, "--pf-v5-global--BackgroundColor--100", dark ? "#1b1d21" : "#fff"),
    danger: cssVar(style, "--pf-v5-global--danger-color--100", dark ? "#fe5142" : "#c9190b"),
    fontFamily: cssVar(style, "--pf-v5-global--FontFamily--text", "RedHatText, helvetica, arial, sans-serif"),
  };
  Chart.defaults.font.family = theme.fontFamily;
  return theme;
}

const sameTheme = (a: ChartTheme, b: ChartTheme) =>
  (Object.keys(a) as (keyof ChartTheme)[]).every((key) => a[key] === b[key]);

/** The current chart theme; changes when the console switches `pf-v5-theme-dark` on `<html>`. */
export function useChartTheme(): ChartTheme {
  const [theme, setTheme] = useState(readChartTheme);
  useEffect(() => {
    const update = () => {
      const next = readChartTheme();
      setTheme((current) => (sameTheme(current, next) ? current : next));
    };
    const observer = new MutationObserver(update);
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ["class"] });
    update(); // the class may have changed between the first render and now
    return () => observer.disconnect();
  }, []);
  return theme;
}
