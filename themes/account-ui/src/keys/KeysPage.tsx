import { Page, useAccountAlerts } from "@keycloak/keycloak-account-ui";
import {
  Alert,
  EmptyState,
  EmptyStateBody,
  EmptyStateHeader,
  EmptyStateIcon,
  Gallery,
  Spinner,
} from "@patternfly/react-core";
import KeyIcon from "@patternfly/react-icons/dist/esm/icons/key-icon";
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";

import { useLlmApi, type KeyTestResult, type UserKey } from "../api";
import { KeyCard } from "./KeyCard";

/** "LLM API keys": the caller's own provider keys, one card per provider type the organisation takes keys for. */
export default function KeysPage() {
  const { t } = useTranslation();
  const api = useLlmApi();
  const { addAlert } = useAccountAlerts();
  const [rows, setRows] = useState<UserKey[]>();
  const [loadError, setLoadError] = useState<string>();
  // Kept here so a result stays visible when the list is read again after the test.
  const [tests, setTests] = useState<Record<string, KeyTestResult>>({});

  const reload = useCallback(
    async (signal?: AbortSignal) => {
      try {
        setRows(await api.keys(signal));
        setLoadError(undefined);
      } catch (e) {
        if (!signal?.aborted) {
          setLoadError(e instanceof Error ? e.message : String(e));
        }
      }
    },
    [api],
  );

  useEffect(() => {
    const controller = new AbortController();
    void reload(controller.signal);
    return () => controller.abort();
  }, [reload]);

  const forgetTest = (type: string) =>
    setTests(({ [type]: _, ...rest }) => rest);

  return (
    <Page title={t("llmApiKeys")} description={t("llmApiKeysDescription")}>
      {loadError && (
        <Alert variant="danger" isInline title={t("llmKeysLoadFailed")} data-testid="llm-keys-error">
          {loadError}
        </Alert>
      )}
      {!rows && !loadError && <Spinner />}
      {rows && rows.length === 0 && (
        <EmptyState data-testid="llm-keys-empty">
          <EmptyStateHeader
            titleText={t("llmKeysEmptyTitle")}
            icon={<EmptyStateIcon icon={KeyIcon} />}
            headingLevel="h2"
          />
          <EmptyStateBody>{t("llmKeysEmptyBody")}</EmptyStateBody>
        </EmptyState>
      )}
      {rows && rows.length > 0 && (
        <Gallery hasGutter minWidths={{ default: "100%", lg: "28rem" }}>
          {rows.map((row) => (
            <KeyCard
              key={row.provider_type}
              row={row}
              test={tests[row.provider_type]}
              onSaved={(saved) => {
                forgetTest(saved.provider_type);
                setRows((current) => current?.map((r) => (r.provider_type === saved.provider_type ? saved : r)));
                addAlert(t("llmKeySaved", { provider: saved.display_name }));
              }}
              onTested={(result) => {
                setTests((current) => ({ ...current, [row.provider_type]: result }));
                void reload();
              }}
              onDeleted={() => {
                forgetTest(row.provider_type);
                addAlert(t("llmKeyDeleted", { provider: row.display_name }));
                void reload();
              }}
            />
          ))}
        </Gallery>
      )}
    </Page>
  );
}
