import { Page, usePromise } from "@keycloak/keycloak-account-ui";
import {
  Alert,
  Card,
  CardBody,
  CardTitle,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  Grid,
  GridItem,
  Label,
  LabelGroup,
  Progress,
  ProgressMeasureLocation,
  ProgressVariant,
  Spinner,
} from "@patternfly/react-core";
import { useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";

import { settled, useLlmApi } from "../api/client";
import type { Me, Usage } from "../api/types";
import { formatDay, formatInteger, formatMoney } from "../format";
import { UsageChart } from "./UsageChart";

const DAYS = 30;

/** "My LLM usage": power level, this month's budget and spend, usable models, and calls per day. */
export default function UsagePage() {
  const { t } = useTranslation();
  const api = useLlmApi();
  const [me, setMe] = useState<Me>();
  const [usage, setUsage] = useState<Usage>();
  const [error, setError] = useState<string>();

  usePromise(
    (signal) => settled(Promise.all([api.me(signal), api.usage(DAYS, signal)]), signal),
    (loaded) => {
      if ("value" in loaded) {
        const [m, u] = loaded.value;
        setMe(m);
        setUsage(u);
      } else {
        setError(loaded.error);
      }
    },
    [api],
  );

  return (
    <Page title={t("llmUsage")} description={t("llmUsageDescription")}>
      {error && (
        <Alert variant="danger" isInline title={t("llmUsageLoadFailed")} data-testid="llm-usage-error">
          {error}
        </Alert>
      )}
      {!error && (!me || !usage) && <Spinner />}
      {me && usage && (
        <Grid hasGutter>
          <GridItem md={6}>
            <PowerLevelCard me={me} />
          </GridItem>
          <GridItem md={6}>
            <BudgetCard me={me} />
          </GridItem>
          <GridItem span={12}>
            <Card data-testid="llm-usage-days">
              <CardTitle component="h2">{t("llmUsageChartTitle", { days: DAYS })}</CardTitle>
              <CardBody>
                <UsageChart usage={usage} />
                <DescriptionList isCompact columnModifier={{ default: "2Col", lg: "3Col" }} className="pf-v5-u-mt-md">
                  <Term label={t("llmUsageCalls")}>{formatInteger(usage.totals.calls)}</Term>
                  <Term label={t("llmUsageOwnKeyCalls")}>{formatInteger(usage.totals.byok_calls)}</Term>
                  <Term label={t("llmUsageErrors")}>{formatInteger(usage.totals.errors)}</Term>
                  <Term label={t("llmUsageTokens")}>
                    {t("llmUsageTokensValue", {
                      prompt: formatInteger(usage.totals.prompt_tokens),
                      completion: formatInteger(usage.totals.completion_tokens),
                    })}
                  </Term>
                  <Term label={t("llmUsageCost")}>{formatMoney(usage.totals.cost, usage.currency)}</Term>
                  <Term label={t("llmUsageSaved")}>{formatMoney(usage.totals.saved, usage.currency)}</Term>
                </DescriptionList>
              </CardBody>
            </Card>
          </GridItem>
        </Grid>
      )}
    </Page>
  );
}

const Term = ({ label, children }: { label: string; children: ReactNode }) => (
  <DescriptionListGroup>
    <DescriptionListTerm>{label}</DescriptionListTerm>
    <DescriptionListDescription>{children}</DescriptionListDescription>
  </DescriptionListGroup>
);

const PowerLevelCard = ({ me }: { me: Me }) => {
  const { t } = useTranslation();
  const level = me.power_level;
  return (
    <Card isFullHeight data-testid="llm-power-level">
      <CardTitle component="h2">{t("llmPowerLevel")}</CardTitle>
      <CardBody>
        <Label
          data-testid="llm-power-level-name"
          variant="outline"
          style={level.color ? { borderColor: level.color } : undefined}
          icon={
            level.color ? <span className="llm-level-swatch" style={{ backgroundColor: level.color }} /> : undefined
          }
        >
          {level.name}
        </Label>
        {level.description && <p className="pf-v5-u-mt-sm">{level.description}</p>}
        {level.price_ceiling != null && (
          <p className="pf-v5-u-mt-sm pf-v5-u-color-200">
            {t("llmPowerLevelCeiling", { price: formatMoney(level.price_ceiling, me.budget.currency) })}
          </p>
        )}
        <h3 className="pf-v5-u-mt-md pf-v5-u-font-weight-bold">{t("llmModels")}</h3>
        {me.models.length > 0 ? (
          <LabelGroup numLabels={12} className="pf-v5-u-mt-sm" data-testid="llm-models">
            {me.models.map((m) => (
              <Label key={m} color="blue" isCompact>
                {m}
              </Label>
            ))}
          </LabelGroup>
        ) : (
          <p className="pf-v5-u-mt-sm">{t("llmModelsNone")}</p>
        )}
      </CardBody>
    </Card>
  );
};

const BudgetCard = ({ me }: { me: Me }) => {
  const { t } = useTranslation();
  const b = me.budget;
  const money = (n: number) => formatMoney(n, b.currency);
  const hasBudget = b.monthly_budget != null;
  return (
    <Card isFullHeight data-testid="llm-budget">
      <CardTitle component="h2">{t("llmBudget")}</CardTitle>
      <CardBody>
        {hasBudget && (
          <Progress
            value={Math.min(100, b.monthly_budget! > 0 ? (b.spent / b.monthly_budget!) * 100 : 100)}
            title={t("llmBudgetSpentOf", { spent: money(b.spent), budget: money(b.monthly_budget!) })}
            measureLocation={ProgressMeasureLocation.top}
            variant={b.exhausted ? ProgressVariant.danger : undefined}
            className="pf-v5-u-mb-md"
          />
        )}
        {b.exhausted && (
          <Alert variant="warning" isInline isPlain title={t("llmBudgetExhausted")} className="pf-v5-u-mb-md" />
        )}
        <DescriptionList isHorizontal isCompact>
          <Term label={t("llmBudgetMonthly")}>
            <span data-testid="llm-budget-monthly">{hasBudget ? money(b.monthly_budget!) : t("llmBudgetNone")}</span>
          </Term>
          <Term label={t("llmBudgetSpent")}>{money(b.spent)}</Term>
          {hasBudget && <Term label={t("llmBudgetRemaining")}>{money(b.remaining ?? 0)}</Term>}
          {hasBudget && <Term label={t("llmBudgetResets")}>{formatDay(b.resets_on)}</Term>}
        </DescriptionList>
        {!hasBudget && <p className="pf-v5-u-mt-md pf-v5-u-color-200">{t("llmBudgetNoneBody")}</p>}
      </CardBody>
    </Card>
  );
};
