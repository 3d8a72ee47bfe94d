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
  Flex,
  FlexItem,
  Label,
  LabelGroup,
  Skeleton,
  Tooltip,
} from "@patternfly/react-core";
import { AngleLeftIcon, AngleRightIcon, PencilAltIcon, StarIcon, TrashIcon } from "@patternfly/react-icons";
import { useTranslation } from "react-i18next";

import { LLM_NS } from "../../i18n";
import { describeLimits } from "../limits/limits";
import type { PowerLevel } from "../types";
import { formatAmount } from "./levels";

type Props = {
  level: PowerLevel;
  /** 0 is the lowest. */
  position: number;
  count: number;
  isDefault: boolean;
  /** Users with the level set on themselves and groups carrying it; undefined while loading or when unknown. */
  assigned?: { users: number; groups: number };
  assignedLoading: boolean;
  /** Edit controls; absent for a read-only admin. */
  actions?: {
    busy: boolean;
    onEdit: () => void;
    onDelete: () => void;
    onMakeDefault: () => void;
    onMove: (by: -1 | 1) => void;
  };
};

const MODELS_SHOWN = 3;

/** One power level: colour, name, id, ceiling, description, models, budget, who is on it. */
export const LevelCard = ({ level, position, count, isDefault, assigned, assignedLoading, actions }: Props) => {
  const { t } = useTranslation(LLM_NS);
  const color = level.color ?? "var(--pf-v5-global--BorderColor--100)";
  const models = level.models ?? [];

  return (
    <Card
      isFullHeight
      className="llm-level-card"
      style={{ borderTopColor: color }}
      data-testid={`llm-level-card-${level.id}`}
    >
      <CardHeader
        actions={
          actions
            ? {
                actions: (
                  <>
                    {actions && (
                      <>
                        <Tooltip content={t("llmLevelMoveLower")}>
                          <Button
                            variant="plain"
                            size="sm"
                            aria-label={t("llmLevelMoveLower")}
                            onClick={() => actions.onMove(-1)}
                            isDisabled={actions.busy || position === 0}
                            data-testid="llm-level-move-lower"
                          >
                            <AngleLeftIcon />
                          </Button>
                        </Tooltip>
                        <Tooltip content={t("llmLevelMoveHigher")}>
                          <Button
                            variant="plain"
                            size="sm"
                            aria-label={t("llmLevelMoveHigher")}
                            onClick={() => actions.onMove(1)}
                            isDisabled={actions.busy || position === count - 1}
                            data-testid="llm-level-move-higher"
                          >
                            <AngleRightIcon />
                          </Button>
                        </Tooltip>
                      </>
                    )}
                  </>
                ),
                hasNoOffset: true,
              }
            : undefined
        }
      >
        <CardTitle>
          <Flex spaceItems={{ default: "spaceItemsSm" }} alignItems={{ default: "alignItemsCenter" }}>
            <FlexItem>
              <span className="llm-level-card__swatch" style={{ background: color }} aria-hidden />
            </FlexItem>
            <FlexItem>
              <span className="llm-level-card__name" data-testid="llm-level-info-name">
                {level.name}
              </span>
            </FlexItem>
            {isDefault && (
              <FlexItem>
                <Label color="blue" icon={<StarIcon />} isCompact data-testid="llm-level-default-label">
                  {t("llmLevelDefault")}
                </Label>
              </FlexItem>
            )}
          </Flex>
        </CardTitle>
        <div className="llm-level-card__sub">
          <code data-testid="llm-level-info-id">{level.id}</code>
          {" · "}
          {position === 0
            ? t("llmLevelLowest")
            : position === count - 1
              ? t("llmLevelHighest")
              : t("llmLevelPosition", { n: position + 1, count })}
        </div>
      </CardHeader>
      <CardBody>
        {level.description && (
          <p className="llm-level-card__description" data-testid="llm-level-info-description">
            {level.description}
          </p>
        )}
        <DescriptionList isCompact className="llm-level-card__facts">
          <DescriptionListGroup>
            <DescriptionListTerm>{t("llmLevelCeiling")}</DescriptionListTerm>
            <DescriptionListDescription data-testid="llm-level-info-ceiling">
              {level.price_ceiling != null ? (
                <>
                  <span className="llm-level-card__ceiling">{formatAmount(level.price_ceiling)}</span>{" "}
                  {t("llmLevelPerMillionBlended")}
                </>
              ) : (
                t("llmLevelNoCeiling")
              )}
            </DescriptionListDescription>
          </DescriptionListGroup>
          <DescriptionListGroup>
            <DescriptionListTerm>{t("llmLevelModels")}</DescriptionListTerm>
            <DescriptionListDescription data-testid="llm-level-info-models">
              {models.length === 0 ? (
                t("llmLevelNoModels")
              ) : (
                <LabelGroup
                  numLabels={MODELS_SHOWN}
                  collapsedText={t("llmLevelMoreModels", { count: models.length - MODELS_SHOWN })}
                  expandedText={t("llmLevelFewerModels")}
                  isCompact
                >
                  {models.map((m) => (
                    <Label key={m} isCompact variant="outline">
                      {m}
                    </Label>
                  ))}
                </LabelGroup>
              )}
            </DescriptionListDescription>
          </DescriptionListGroup>
          <DescriptionListGroup>
            <DescriptionListTerm>{t("llmLevelBudget")}</DescriptionListTerm>
            <DescriptionListDescription data-testid="llm-level-info-budget">
              {level.monthly_budget != null
                ? t("llmLevelBudgetValue", { amount: formatAmount(level.monthly_budget) })
                : t("llmLevelNoBudget")}
            </DescriptionListDescription>
          </DescriptionListGroup>
          <DescriptionListGroup>
            <DescriptionListTerm>{t("llmLimitsTitle")}</DescriptionListTerm>
            <DescriptionListDescription data-testid="llm-level-info-limits">
              {describeLimits(t, level.limits) ?? t("llmLimitsNone")}
            </DescriptionListDescription>
          </DescriptionListGroup>
          <DescriptionListGroup>
            <DescriptionListTerm>{t("llmLevelAssigned")}</DescriptionListTerm>
            <DescriptionListDescription>
              {assigned ? (
                <span data-testid="llm-level-users">
                  {t("llmLevelUserCount", { count: assigned.users })}
                  {" · "}
                  {t("llmLevelGroupCount", { count: assigned.groups })}
                </span>
              ) : assignedLoading ? (
                <Skeleton width="8rem" screenreaderText={t("llmLoading")} />
              ) : (
                <span data-testid="llm-level-users">–</span>
              )}
              {isDefault && (
                <div className="llm-level-card__note" data-testid="llm-level-default-note">
                  {t("llmLevelDefaultNote")}
                </div>
              )}
            </DescriptionListDescription>
          </DescriptionListGroup>
        </DescriptionList>
      </CardBody>
      {actions && (
        <CardFooter>
          <Flex
            spaceItems={{ default: "spaceItemsXs" }}
            alignItems={{ default: "alignItemsCenter" }}
            flexWrap={{ default: "wrap" }}
          >
            <FlexItem>
              <Button
                variant="secondary"
                size="sm"
                icon={<PencilAltIcon />}
                onClick={actions.onEdit}
                isDisabled={actions.busy}
                data-testid="llm-level-edit"
              >
                {t("llmLevelEdit")}
              </Button>
            </FlexItem>
            {!isDefault && (
              <FlexItem>
                <Button
                  variant="link"
                  size="sm"
                  onClick={actions.onMakeDefault}
                  isDisabled={actions.busy}
                  data-testid="llm-level-make-default"
                >
                  {t("llmLevelMakeDefault")}
                </Button>
              </FlexItem>
            )}
            <FlexItem>
              {isDefault ? (
                <Tooltip content={t("llmLevelDeleteDefault")}>
                  <Button
                    variant="link"
                    size="sm"
                    isDanger
                    icon={<TrashIcon />}
                    isAriaDisabled
                    data-testid="llm-level-delete"
                  >
                    {t("llmLevelDelete")}
                  </Button>
                </Tooltip>
              ) : (
                <Button
                  variant="link"
                  size="sm"
                  isDanger
                  icon={<TrashIcon />}
                  onClick={actions.onDelete}
                  isDisabled={actions.busy}
                  data-testid="llm-level-delete"
                >
                  {t("llmLevelDelete")}
                </Button>
              )}
            </FlexItem>
          </Flex>
        </CardFooter>
      )}
    </Card>
  );
};
