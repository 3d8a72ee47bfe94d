import type { ChartConfiguration, ChartType } from "chart.js";
import { useEffect, useRef } from "react";

import { Chart } from "./chartSetup";

type Props<T extends ChartType> = {
  /** Built anew when the data or the theme change (memoise it): the chart is updated in place. */
  config: ChartConfiguration<T>;
  /** What the chart shows, for screen readers. */
  label: string;
  /** Height of the chart's box in pixels; the width follows the container. */
  height: number;
  testId: string;
};

/** One Chart.js chart in a sized, responsive box; destroyed on unmount. */
export function ChartCanvas<T extends ChartType>({ config, label, height, testId }: Props<T>) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const chartRef = useRef<Chart<T>>();
  const typeRef = useRef<ChartType>();

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const chart = chartRef.current;
    if (chart && typeRef.current === config.type) {
      chart.data = config.data;
      chart.options = (config.options ?? {}) as typeof chart.options;
      chart.update();
    } else {
      chart?.destroy();
      chartRef.current = new Chart(canvas, config);
      typeRef.current = config.type;
    }
  }, [config]);

  useEffect(
    () => () => {
      chartRef.current?.destroy();
      chartRef.current = undefined;
    },
    [],
  );

  return (
    <div className="llm-analytics-chart" style={{ height }}>
      <canvas ref={canvasRef} role="img" aria-label={label} data-testid={testId} />
    </div>
  );
}
