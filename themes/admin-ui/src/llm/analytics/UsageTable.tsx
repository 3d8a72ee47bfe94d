import type { ReactNode } from "react";

export type Column<R> = {
  key: string;
  title: string;
  cell: (row: R) => ReactNode;
  /** Figures: right-aligned. */
  numeric?: boolean;
};

type Props<R> = {
  columns: Column<R>[];
  rows: R[];
  rowKey: (row: R, index: number) => string;
  label: string;
  testId: string;
};

/**
 * A compact read-only table in PatternFly's table style (the console already has its CSS), without pulling
 * @patternfly/react-table into this chunk. On narrow screens it scrolls sideways.
 */
export function UsageTable<R>({ columns, rows, rowKey, label, testId }: Props<R>) {
  return (
    // Scrolls sideways rather than spilling out of a narrow card.
    <div className="llm-analytics-table-wrap">
      <table className="pf-v5-c-table pf-m-compact llm-analytics-table" aria-label={label} data-testid={testId}>
        <thead className="pf-v5-c-table__thead pf-m-wrap">
          <tr className="pf-v5-c-table__tr">
            {columns.map((c) => (
              <th key={c.key} scope="col" className={`pf-v5-c-table__th${c.numeric ? " llm-analytics-num" : ""}`}>
                {c.title}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="pf-v5-c-table__tbody pf-m-wrap">
          {rows.map((row, i) => (
            <tr key={rowKey(row, i)} className="pf-v5-c-table__tr" data-testid={`${testId}-row`}>
              {columns.map((c) => (
                <td
                  key={c.key}
                  data-label={c.title}
                  className={`pf-v5-c-table__td${c.numeric ? " llm-analytics-num" : ""}`}
                >
                  {c.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
