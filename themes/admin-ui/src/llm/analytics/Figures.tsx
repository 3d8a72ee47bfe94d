import { Card, CardBody, Gallery } from "@patternfly/react-core";
import { useTranslation } from "react-i18next";

import { LLM_NS } from "../../i18n";
import { formatCount, formatRate, formatUsd } from "../format";
import type { UsageFigures } from "../types";

type FigureProps = { id: string; label: string; value: string; detail?: string };

const Figure = ({ id, label, value, detail }: FigureProps) => (
  <Card isCompact isPlain className="llm-analytics-figure" data-testid={`llm-analytics-figure-${id}`}>
    <CardBody>
      <div className="llm-analytics-figure__label">{label}</div>
      <div className="llm-analytics-figure__value" data-testid={`llm-analytics-total-${id}`}>
        {value}
      </div>
      {detail && <div className="llm-analytics-figure__detail">{detail}</div>}
    </CardBody>
  </Card>
);

/** The period's totals in a row: calls, cost, success and fallback rate, BYOK, tokens. */
export const Figures = ({ totals }: { totals: UsageFigures }) => {
  const { t } = useTranslation(LLM_NS);
  return (
    <Gallery hasGutter minWidths={{ default: "140px" }} className="llm-analytics-figures">
      <Figure
        id="calls"
        label={t("llmAnalyticsCalls")}
        value={formatCount(totals.calls)}
        detail={t("llmAnalyticsErrorsDetail", { errors: formatCount(totals.errors) })}
      />
      <Figure
        id="cost"
        label={t("llmAnalyticsCost")}
        value={formatUsd(totals.cost)}
        detail={
          totals.unpriced_calls > 0
            ? t("llmAnalyticsUnpricedDetail", { calls: formatCount(totals.unpriced_calls) })
            : undefined
        }
      />
      <Figure id="success-rate" label={t("llmAnalyticsSuccessRate")} value={formatRate(totals.success_rate)} />
      <Figure
        id="fallback-rate"
        label={t("llmAnalyticsFallbackRate")}
        value={formatRate(totals.fallback_rate)}
        detail={t("llmAnalyticsFallbackDetail", { calls: formatCount(totals.fallback_calls) })}
      />
      <Figure
        id="byok"
        label={t("llmAnalyticsByokShare")}
        value={formatRate(totals.byok_share)}
        detail={t("llmAnalyticsByokSaved", { amount: formatUsd(totals.byok_saved) })}
      />
      <Figure
        id="tokens"
        label={t("llmAnalyticsTokens")}
        value={formatCount(totals.prompt_tokens + totals.completion_tokens)}
        detail={t("llmAnalyticsTokensDetail", {
          prompt: formatCount(totals.prompt_tokens),
          completion: formatCount(totals.completion_tokens),
        })}
      />
    </Gallery>
  );
};
