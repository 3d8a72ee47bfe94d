import {
  Button,
  Card,
  CardBody,
  CardFooter,
  CardHeader,
  CardTitle,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  HelperText,
  HelperTextItem,
  Label,
  Tooltip,
} from "@patternfly/react-core";
import {
  BoltIcon,
  CheckCircleIcon,
  CogIcon,
  ExclamationCircleIcon,
  MinusCircleIcon,
  TrashIcon,
} from "@patternfly/react-icons";
import type { CSSProperties } from "react";
import { useTranslation } from "react-i18next";

import { LLM_NS } from "../../i18n";
import { formatCount, formatMs } from "../format";
import { describeLimits } from "../limits/limits";
import type { Provider } from "../types";
import { formatPrice } from "./modelApi";
import { ProviderBadge } from "./ProviderBadge";

/** What the card's Test button last gave: the outcome or the failed request's message. */
export type CardTestResult = { success: boolean; latency?: number; modelsAvailable?: number; error?: string };

type Props = {
  provider: Provider;
  canManage: boolean;
  testing: boolean;
  testResult?: CardTestResult;
  onConfigure: () => void;
  onTest: () => void;
  onDelete: () => void;
};

export const StatusLabel = ({ provider }: { provider: Provider }) => {
  const { t } = useTranslation(LLM_NS);
  const status = provider.status;
  const label =
    status === "active" ? (
      <Label color="green" icon={<CheckCircleIcon />} isCompact data-testid="llm-provider-status" data-status={status}>
        {t("llmProvStatusActive")}
      </Label>
    ) : status === "error" ? (
      <Label
        color="red"
        icon={<ExclamationCircleIcon />}
        isCompact
        tabIndex={0}
        data-testid="llm-provider-status"
        data-status={status}
      >
        {t("llmProvStatusError")}
      </Label>
    ) : (
      <Label color="grey" icon={<MinusCircleIcon />} isCompact data-testid="llm-provider-status" data-status={status}>
        {status === "disabled" ? t("llmProvStatusDisabled") : status}
      </Label>
    );
  if (status === "error") {
    return <Tooltip content={provider.last_error ?? t("llmProvStatusErrorUnknown")}>{label}</Tooltip>;
  }
  return label;
};

/** One provider: vendor colour and mark, name, type, status, figures and (for managers) its actions. */
export const ProviderCard = ({ provider, canManage, testing, testResult, onConfigure, onTest, onDelete }: Props) => {
  const { t } = useTranslation(LLM_NS);
  const p = provider;
  return (
    <Card
      isFullHeight
      className="llm-provider-card"
      style={{ "--llm-vendor-color": p.color } as CSSProperties}
      data-testid={`llm-provider-card-${p.id}`}
      data-provider-name={p.name}
    >
      <CardHeader actions={{ actions: <StatusLabel provider={p} />, hasNoOffset: true }}>
        <div className="llm-provider-card__head">
          <ProviderBadge type={p.type} name={p.type_name} color={p.color} />
          <div className="llm-provider-card__names">
            <CardTitle component="h3" className="llm-provider-card__name" data-testid="llm-provider-title">
              {p.name}
            </CardTitle>
            <div className="llm-provider-card__type" data-testid="llm-provider-kind">
              {p.type_name}
            </div>
          </div>
        </div>
      </CardHeader>
      <CardBody>
        <DescriptionList
          isCompact
          isAutoColumnWidths
          columnModifier={{ default: "2Col" }}
          className="llm-provider-card__figures"
        >
          <DescriptionListGroup>
            <DescriptionListTerm>{t("llmProvModels")}</DescriptionListTerm>
            <DescriptionListDescription data-testid="llm-provider-model-count">
              {formatCount(p.model_count)}
            </DescriptionListDescription>
          </DescriptionListGroup>
          <DescriptionListGroup>
            <DescriptionListTerm>{t("llmProvAvgCost")}</DescriptionListTerm>
            <DescriptionListDescription data-testid="llm-provider-avg-cost">
              {p.avg_cost === undefined ? "–" : formatPrice(p.avg_cost)}
            </DescriptionListDescription>
          </DescriptionListGroup>
          <DescriptionListGroup>
            <DescriptionListTerm>{t("llmProvPriority")}</DescriptionListTerm>
            <DescriptionListDescription data-testid="llm-provider-priority-value">
              {p.priority}
              {p.auto_fallback ? "" : ` · ${t("llmProvNoFallback")}`}
            </DescriptionListDescription>
          </DescriptionListGroup>
          <DescriptionListGroup>
            <DescriptionListTerm>{t("llmProvLastTest")}</DescriptionListTerm>
            <DescriptionListDescription
              data-testid="llm-provider-last-test"
              title={p.last_tested_at === undefined ? undefined : new Date(p.last_tested_at).toLocaleString()}
            >
              {p.last_tested_at === undefined
                ? "–"
                : `${formatMs(p.last_latency_ms)} · ${new Date(p.last_tested_at).toLocaleDateString()}`}
            </DescriptionListDescription>
          </DescriptionListGroup>
        </DescriptionList>
        {describeLimits(t, p.limits) && (
          <div className="llm-provider-card__limits" data-testid="llm-provider-limits">
            <span className="llm-provider-card__limits-term">{t("llmLimitsTitle")}</span> {describeLimits(t, p.limits)}
          </div>
        )}
        {testResult && (
          <HelperText className="llm-provider-card__test" isLiveRegion>
            <HelperTextItem
              variant={testResult.success ? "success" : "error"}
              hasIcon
              data-testid="llm-provider-test-result"
              data-success={String(testResult.success)}
            >
              {testResult.success
                ? testResult.modelsAvailable === undefined
                  ? t("llmProvTestOk", { latency: formatMs(testResult.latency) })
                  : t("llmProvTestOkModels", {
                      latency: formatMs(testResult.latency),
                      count: testResult.modelsAvailable,
                    })
                : testResult.error}
            </HelperTextItem>
          </HelperText>
        )}
      </CardBody>
      {canManage && (
        <CardFooter className="llm-provider-card__actions">
          <Button
            variant="secondary"
            size="sm"
            icon={<CogIcon />}
            onClick={onConfigure}
            data-testid="llm-provider-configure"
          >
            {t("llmProvConfigure")}
          </Button>
          <Button
            variant="secondary"
            size="sm"
            icon={<BoltIcon />}
            onClick={onTest}
            isLoading={testing ? true : undefined}
            isDisabled={testing}
            data-testid="llm-provider-test"
          >
            {testing ? t("llmProvTesting") : t("llmProvTest")}
          </Button>
          <Button
            variant="link"
            isDanger
            size="sm"
            icon={<TrashIcon />}
            onClick={onDelete}
            className="llm-provider-card__delete"
            data-testid="llm-provider-delete"
          >
            {t("llmProvDelete")}
          </Button>
        </CardFooter>
      )}
    </Card>
  );
};
