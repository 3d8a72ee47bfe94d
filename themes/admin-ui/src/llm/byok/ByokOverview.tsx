import {
  Alert,
  AlertActionLink,
  Button,
  Card,
  CardBody,
  CardHeader,
  CardTitle,
  Flex,
  FlexItem,
  LabelGroup,
  Skeleton,
  Text,
  TextContent,
} from "@patternfly/react-core";
import { KeyIcon, SyncAltIcon, UsersIcon } from "@patternfly/react-icons";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { LLM_NS } from "../../i18n";
import { LlmApiError } from "../api";
import { useLlmPage } from "../context";
import { formatCount, formatUsd } from "../format";
import { useLoad } from "../hooks";
import { ByokUsersModal } from "./ByokUsersModal";
import { TypeLabel } from "./TypeLabel";
import { sortTypes, typeInfo } from "./typeNames";

/** Users with their own keys, keys per type, what BYOK saved this month, and the list of those users. */
export const ByokOverview = () => {
  const { t } = useTranslation(LLM_NS);
  const { api, canViewUsers, providerTypes } = useLlmPage();
  // The figures only (one user): the list is paged in the dialog.
  const overview = useLoad(
    (signal) => (canViewUsers ? api.byok(0, 1, signal) : Promise.resolve(undefined)),
    [api, canViewUsers],
  );
  const [viewing, setViewing] = useState(false);
  const forbidden = !canViewUsers || (overview.error instanceof LlmApiError && overview.error.status === 403);
  const o = overview.value;

  return (
    <Card data-testid="llm-byok-overview">
      <CardHeader
        actions={
          forbidden
            ? undefined
            : {
                actions: (
                  <Button
                    variant="plain"
                    aria-label={t("llmByokRefresh")}
                    onClick={overview.reload}
                    isDisabled={overview.loading}
                    data-testid="llm-byok-refresh"
                  >
                    <SyncAltIcon />
                  </Button>
                ),
              }
        }
      >
        <CardTitle>{t("llmByokTitle")}</CardTitle>
        <TextContent>
          <Text component="small">{t("llmByokDescription")}</Text>
        </TextContent>
      </CardHeader>
      <CardBody>
        {forbidden ? (
          <Alert
            variant="info"
            isInline
            isPlain
            title={t("llmByokNeedsViewUsers")}
            data-testid="llm-byok-no-view-users"
          >
            {t("llmByokNeedsViewUsersBody")}
          </Alert>
        ) : overview.error && !o ? (
          <Alert
            variant="danger"
            isInline
            title={t("llmByokOverviewFailed")}
            actionLinks={<AlertActionLink onClick={overview.reload}>{t("llmByokRetry")}</AlertActionLink>}
            data-testid="llm-byok-overview-error"
          >
            {overview.error.message}
          </Alert>
        ) : (
          <Flex
            spaceItems={{ default: "spaceItems2xl" }}
            alignItems={{ default: "alignItemsFlexStart" }}
            flexWrap={{ default: "wrap" }}
          >
            <FlexItem className="llm-byok-figure">
              <div className="llm-byok-figure__label">
                <UsersIcon /> {t("llmByokUsersWithKeys")}
              </div>
              {o ? (
                <div className="llm-byok-figure__value" data-testid="llm-byok-users-with-keys">
                  {formatCount(o.users_with_keys)}
                </div>
              ) : (
                <Skeleton width="4rem" height="2rem" screenreaderText={t("llmLoading")} />
              )}
              {o && (
                <Button
                  variant="secondary"
                  size="sm"
                  onClick={() => setViewing(true)}
                  className="llm-byok-figure__action"
                  data-testid="llm-byok-view"
                >
                  {t("llmByokView")}
                </Button>
              )}
            </FlexItem>
            <FlexItem className="llm-byok-figure">
              <div className="llm-byok-figure__label">{t("llmByokSaved")}</div>
              {o ? (
                <>
                  <div className="llm-byok-figure__value llm-good" data-testid="llm-byok-saved">
                    {formatUsd(o.cost_saved.amount)}
                  </div>
                  <div className="llm-byok-figure__sub" data-testid="llm-byok-saved-calls">
                    {t("llmByokSavedCalls", {
                      count: o.cost_saved.calls,
                      calls: formatCount(o.cost_saved.calls),
                      from: o.cost_saved.from,
                      to: o.cost_saved.to,
                    })}
                  </div>
                </>
              ) : (
                <Skeleton width="6rem" height="2rem" />
              )}
            </FlexItem>
            <FlexItem className="llm-byok-figure" flex={{ default: "flex_1" }}>
              <div className="llm-byok-figure__label">
                <KeyIcon /> {t("llmByokKeysByType")}
              </div>
              {o ? (
                Object.keys(o.keys_by_type).length === 0 ? (
                  <div className="llm-byok-figure__sub" data-testid="llm-byok-keys-by-type">
                    {t("llmByokNoKeys")}
                  </div>
                ) : (
                  <LabelGroup numLabels={9} data-testid="llm-byok-keys-by-type">
                    {sortTypes(providerTypes.value, Object.keys(o.keys_by_type)).map((type) => (
                      <TypeLabel key={type} {...typeInfo(providerTypes.value, type)}>
                        <span className="llm-byok-type-label__count" data-testid={`llm-byok-keys-${type}`}>
                          {formatCount(o.keys_by_type[type])}
                        </span>
                      </TypeLabel>
                    ))}
                  </LabelGroup>
                )
              ) : (
                <Skeleton width="10rem" />
              )}
            </FlexItem>
          </Flex>
        )}
      </CardBody>
      {viewing && o && <ByokUsersModal total={o.users_with_keys} onClose={() => setViewing(false)} />}
    </Card>
  );
};
