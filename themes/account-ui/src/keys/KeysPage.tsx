import { Page, useAccountAlerts, usePromise } from "@keycloak/keycloak-account-ui";
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
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { settled, useLlmApi } from "../api/client";
import type { ProviderType, UserKey, UserKeyTestResult } from "../api/types";
import { KeyCard } from "./KeyCard";

/** "LLM API keys": the caller's own provider keys, one card per provider type the organisation takes keys for. */
export default function KeysPage() {
  const { t } = useTranslation();
  const api = useLlmApi();
  const { addAlert } = useAccountAlerts();
  const [rows, setRows] = useState<UserKey[]>();
  const [loadError, setLoadError] = useState<string>();
  // Kept here so a result stays visible when the list is read again after the test.
  const [tests, setTests] = useState<Partial<Record<ProviderType, UserKeyTestResult>>>({});
  // Bumped to read the list again (after a test or a delete); the rows shown stay until the new ones arrive.
  const [version, setVersion] = useState(0);
  const reload = () => setVersion((v) => v + 1);

  usePromise(
    (signal) => settled(api.keys(signal), signal),
    (loaded) => {
      if ("value" in loaded) {
        setRows(loaded.value);
        setLoadError(undefined);
      } else {
        setLoadError(loaded.error);
      }
    },
    [api, version],
  );

  const forgetTest = (type: ProviderType) => setTests(({ [type]: _, ...rest }) => rest);

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
                reload();
              }}
              onDeleted={() => {
                forgetTest(row.provider_type);
                addAlert(t("llmKeyDeleted", { provider: row.display_name }));
                reload();
              }}
            />
          ))}
        </Gallery>
      )}
    </Page>
  );
}
