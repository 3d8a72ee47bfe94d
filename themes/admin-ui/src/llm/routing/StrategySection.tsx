import {
  AlertVariant,
  Card,
  CardBody,
  CardHeader,
  CardTitle,
  Grid,
  GridItem,
  Label,
  Spinner,
  Text,
  TextContent,
  Title,
} from "@patternfly/react-core";
import { BalanceScaleIcon, BrainIcon, DollarSignIcon } from "@patternfly/react-icons";
import { useAlerts } from "@keycloak/keycloak-ui-shared";
import { useState, type ComponentType } from "react";
import { useTranslation } from "react-i18next";

import { LLM_NS } from "../../i18n";
import { useLlmPage } from "../context";
import type { RoutingRules, RoutingStrategy } from "../types";

type StrategyInfo = {
  id: RoutingStrategy;
  icon: ComponentType<{ color?: string }>;
  /** The original page's colours: green, blue, purple. */
  color: string;
  title: string;
  description: string;
  bestFor: string;
};

const STRATEGIES: StrategyInfo[] = [
  {
    id: "cost",
    icon: DollarSignIcon,
    color: "#22c55e",
    title: "llmRouteStrategyCost",
    description: "llmRouteStrategyCostDescription",
    bestFor: "llmRouteStrategyCostBestFor",
  },
  {
    id: "balanced",
    icon: BalanceScaleIcon,
    color: "#3b82f6",
    title: "llmRouteStrategyBalanced",
    description: "llmRouteStrategyBalancedDescription",
    bestFor: "llmRouteStrategyBalancedBestFor",
  },
  {
    id: "quality",
    icon: BrainIcon,
    color: "#a855f7",
    title: "llmRouteStrategyQuality",
    description: "llmRouteStrategyQualityDescription",
    bestFor: "llmRouteStrategyQualityBestFor",
  },
];

type Props = {
  rules: RoutingRules;
  onSaved: (rules: RoutingRules) => void;
};

/** The three routing strategies as selectable cards; a selection is saved at once. Read-only admins see the cards only. */
export const StrategySection = ({ rules, onSaved }: Props) => {
  const { t } = useTranslation(LLM_NS);
  const { addAlert } = useAlerts();
  const { api, canManage } = useLlmPage();
  // The strategy being saved: shown as selected until the API answers.
  const [pending, setPending] = useState<RoutingStrategy>();
  const selected = pending ?? rules.strategy;

  const select = async (strategy: RoutingStrategy) => {
    if (!canManage || pending || strategy === rules.strategy) return;
    setPending(strategy);
    try {
      const saved = await api.updateRoutingRules({ strategy });
      onSaved(saved);
      const info = STRATEGIES.find((s) => s.id === saved.strategy);
      addAlert(t("llmRouteStrategySaved", { strategy: info ? t(info.title) : saved.strategy }), AlertVariant.success);
    } catch (error) {
      addAlert(t("llmRouteStrategyFailed"), AlertVariant.danger, (error as Error).message);
    } finally {
      setPending(undefined);
    }
  };

  return (
    <section className="llm-route-section" aria-labelledby="llm-route-strategy-title">
      <TextContent className="llm-route-section__intro">
        <Title headingLevel="h2" size="xl" id="llm-route-strategy-title">
          {t("llmRouteStrategyTitle")}
        </Title>
        <Text>{t("llmRouteStrategyHelp")}</Text>
      </TextContent>
      <Grid hasGutter role={canManage ? "radiogroup" : undefined} aria-labelledby="llm-route-strategy-title">
        {STRATEGIES.map(({ id, icon: Icon, color, title, description, bestFor }) => {
          const isSelected = selected === id;
          const titleId = `llm-strategy-${id}-title`;
          return (
            <GridItem md={4} key={id}>
              <Card
                id={`llm-strategy-${id}`}
                className={`llm-route-strategy${!canManage && isSelected ? " llm-route-strategy--current" : ""}`}
                isSelectable={canManage}
                isSelected={canManage && isSelected}
                isFullHeight
                data-testid={`llm-strategy-${id}`}
                data-selected={isSelected ? "true" : "false"}
              >
                <CardHeader
                  selectableActions={
                    canManage
                      ? {
                          selectableActionId: `llm-strategy-${id}-input`,
                          selectableActionAriaLabelledby: titleId,
                          name: "llm-strategy",
                          variant: "single",
                          isChecked: isSelected,
                          onChange: () => void select(id),
                          hasNoOffset: true,
                        }
                      : undefined
                  }
                >
                  <CardTitle id={titleId} className="llm-route-strategy__title">
                    <span className="llm-route-strategy__icon" style={{ background: color }} aria-hidden>
                      <Icon color="#fff" />
                    </span>
                    {t(title)}
                    {pending === id && <Spinner size="md" aria-label={t("llmRouteSaving")} />}
                    {!canManage && isSelected && (
                      <Label color="blue" isCompact data-testid="llm-strategy-current">
                        {t("llmRouteStrategyCurrent")}
                      </Label>
                    )}
                  </CardTitle>
                </CardHeader>
                <CardBody>
                  <TextContent>
                    <Text>{t(description)}</Text>
                    <Text component="small">{t(bestFor)}</Text>
                  </TextContent>
                </CardBody>
              </Card>
            </GridItem>
          );
        })}
      </Grid>
    </section>
  );
};
