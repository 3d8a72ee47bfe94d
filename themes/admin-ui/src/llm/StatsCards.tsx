import { Card, CardBody, CardTitle, Gallery, Skeleton } from "@patternfly/react-core";
import {
  ArrowDownIcon,
  ArrowUpIcon,
  CubesIcon,
  DollarSignIcon,
  ServerIcon,
  TachometerAltIcon,
} from "@patternfly/react-icons";
import type { ComponentType } from "react";
import { useTranslation } from "react-i18next";

import { LLM_NS } from "../i18n";
import { formatCount, formatUsd } from "./format";
import type { Loaded } from "./hooks";
import type { Stats } from "./types";

type CardProps = {
  id: string;
  title: string;
  value?: string;
  icon: ComponentType<{ color?: string }>;
  color: string;
  /** Percentage change; null: nothing to compare with; undefined: the card has no trend. */
  trend?: number | null;
  /** Whether a rise is good news (calls, models) or not (cost). */
  riseIsGood?: boolean;
};

const StatCard = ({ id, title, value, icon: Icon, color, trend, riseIsGood = true }: CardProps) => {
  const { t } = useTranslation(LLM_NS);
  const up = trend !== undefined && trend !== null && trend > 0;
  const down = trend !== undefined && trend !== null && trend < 0;
  const good = (up && riseIsGood) || (down && !riseIsGood);
  return (
    <Card isCompact className="llm-stat-card" data-testid={`llm-stat-${id}`}>
      <CardTitle>
        <span className="llm-stat-card__icon" style={{ background: color }} aria-hidden>
          <Icon color="#fff" />
        </span>
        {title}
      </CardTitle>
      <CardBody>
        {value === undefined ? (
          <Skeleton width="60%" screenreaderText={t("llmLoading")} />
        ) : (
          <div className="llm-stat-card__value" data-testid={`llm-stat-${id}-value`}>
            {value}
          </div>
        )}
        {trend !== undefined && value !== undefined && (
          <div
            className={`llm-stat-card__trend ${trend === null ? "" : good ? "llm-good" : up || down ? "llm-bad" : ""}`}
            data-testid={`llm-stat-${id}-trend`}
          >
            {trend === null ? (
              t("llmTrendNone")
            ) : (
              <>
                {up && <ArrowUpIcon />}
                {down && <ArrowDownIcon />} {`${trend > 0 ? "+" : ""}${trend} %`} {t("llmTrendSuffix")}
              </>
            )}
          </div>
        )}
      </CardBody>
    </Card>
  );
};

/** The four cards of `/stats`. */
export const StatsCards = ({ stats }: { stats: Loaded<Stats> }) => {
  const { t } = useTranslation(LLM_NS);
  const s = stats.value;
  return (
    <Gallery hasGutter minWidths={{ default: "100%", sm: "45%", lg: "22%" }} data-testid="llm-stats">
      <StatCard
        id="providers"
        title={t("llmStatProviders")}
        value={s && formatCount(s.total_providers)}
        icon={ServerIcon}
        color="#3b82f6"
      />
      <StatCard
        id="models"
        title={t("llmStatModels")}
        value={s && formatCount(s.active_models)}
        icon={CubesIcon}
        color="#a855f7"
        trend={s?.trends.active_models}
      />
      <StatCard
        id="calls"
        title={t("llmStatCalls")}
        value={s && formatCount(s.total_calls)}
        icon={TachometerAltIcon}
        color="#22c55e"
        trend={s?.trends.total_calls}
      />
      <StatCard
        id="cost"
        title={t("llmStatCost")}
        value={s && formatUsd(s.total_cost)}
        icon={DollarSignIcon}
        color="#f59e0b"
        trend={s?.trends.total_cost}
        riseIsGood={false}
      />
    </Gallery>
  );
};
