import { useAlerts } from "@keycloak/keycloak-ui-shared";
import {
  Alert,
  AlertActionLink,
  AlertVariant,
  Button,
  Card,
  CardBody,
  EmptyState,
  EmptyStateActions,
  EmptyStateBody,
  EmptyStateFooter,
  EmptyStateHeader,
  EmptyStateIcon,
  Grid,
  GridItem,
  PageSection,
  Skeleton,
} from "@patternfly/react-core";
import { ExclamationCircleIcon, PlusIcon } from "@patternfly/react-icons";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { LLM_NS } from "../i18n";
import { useLlmPage } from "./context";
import { formatMs } from "./format";
import { DeleteProviderModal } from "./providers/DeleteProviderModal";
import { ProviderCard, type CardTestResult } from "./providers/ProviderCard";
import type { Provider } from "./types";
import "./providers/providers.css";

/** The provider cards, in the order `/providers` gives them (highest priority first). */
export const ProvidersTab = () => {
  const { t } = useTranslation(LLM_NS);
  const { addAlert } = useAlerts();
  const { api, providers, canManage, openProviderModal, refreshStats } = useLlmPage();
  const [testing, setTesting] = useState<Record<string, boolean>>({});
  const [results, setResults] = useState<Record<string, CardTestResult>>({});
  const [deleting, setDeleting] = useState<Provider>();

  const test = async (p: Provider) => {
    setTesting((s) => ({ ...s, [p.id]: true }));
    try {
      const outcome = await api.testProvider(p.id);
      setResults((r) => ({
        ...r,
        [p.id]: {
          success: outcome.success,
          latency: outcome.latency,
          modelsAvailable: outcome.models_available,
          error: outcome.error,
        },
      }));
      if (outcome.success) {
        addAlert(t("llmProvTestPassed", { name: p.name, latency: formatMs(outcome.latency) }), AlertVariant.success);
      } else {
        addAlert(t("llmProvTestFailed", { name: p.name }), AlertVariant.danger, outcome.error);
      }
    } catch (e) {
      const message = (e as Error).message;
      setResults((r) => ({ ...r, [p.id]: { success: false, error: message } }));
      addAlert(t("llmProvTestFailed", { name: p.name }), AlertVariant.danger, message);
    } finally {
      setTesting((s) => ({ ...s, [p.id]: false }));
      // The test records status, latency and the listed models.
      providers.reload();
      refreshStats();
    }
  };

  const remove = async (p: Provider) => {
    try {
      await api.deleteProvider(p.id);
      setDeleting(undefined);
      addAlert(t("llmProvDeleted", { name: p.name }), AlertVariant.success);
      providers.reload();
      refreshStats();
    } catch (e) {
      addAlert(t("llmProvDeleteFailed", { name: p.name }), AlertVariant.danger, (e as Error).message);
    }
  };

  const list = providers.value;
  return (
    <PageSection className="llm-providers" data-testid="llm-providers">
      {providers.error && (
        <Alert
          isInline
          variant={list ? "warning" : "danger"}
          title={t("llmProvLoadFailed")}
          actionLinks={
            <AlertActionLink onClick={providers.reload} data-testid="llm-providers-retry">
              {t("llmProvRetry")}
            </AlertActionLink>
          }
          className="llm-providers__error"
          data-testid="llm-providers-error"
        >
          {providers.error.message}
        </Alert>
      )}
      {list === undefined ? (
        providers.loading && (
          <Grid hasGutter data-testid="llm-providers-loading">
            {[0, 1, 2].map((i) => (
              <GridItem key={i} span={12} md={6} xl={4}>
                <Card isFullHeight>
                  <CardBody>
                    <Skeleton width="50%" screenreaderText={t("llmLoading")} />
                    <br />
                    <Skeleton width="80%" />
                    <br />
                    <Skeleton width="65%" />
                  </CardBody>
                </Card>
              </GridItem>
            ))}
          </Grid>
        )
      ) : list.length === 0 ? (
        <EmptyState variant="sm" data-testid="llm-providers-empty">
          <EmptyStateHeader icon={<EmptyStateIcon icon={ExclamationCircleIcon} />} />
          <EmptyStateBody>{canManage ? t("llmProvEmpty") : t("llmProvEmptyReadOnly")}</EmptyStateBody>
          {canManage && (
            <EmptyStateFooter>
              <EmptyStateActions>
                <Button icon={<PlusIcon />} onClick={() => openProviderModal()} data-testid="llm-providers-empty-add">
                  {t("llmAddProvider")}
                </Button>
              </EmptyStateActions>
            </EmptyStateFooter>
          )}
        </EmptyState>
      ) : (
        <Grid hasGutter data-testid="llm-provider-cards">
          {list.map((p) => (
            <GridItem key={p.id} span={12} md={6} xl={4}>
              <ProviderCard
                provider={p}
                canManage={canManage}
                testing={!!testing[p.id]}
                testResult={results[p.id]}
                onConfigure={() => openProviderModal(p)}
                onTest={() => void test(p)}
                onDelete={() => setDeleting(p)}
              />
            </GridItem>
          ))}
        </Grid>
      )}
      {deleting && (
        <DeleteProviderModal
          provider={deleting}
          onConfirm={() => remove(deleting)}
          onCancel={() => setDeleting(undefined)}
        />
      )}
    </PageSection>
  );
};
