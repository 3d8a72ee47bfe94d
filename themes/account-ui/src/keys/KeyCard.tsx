import {
  Alert,
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
  Label,
  LabelGroup,
  Modal,
  ModalVariant,
} from "@patternfly/react-core";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { useLlmApi } from "../api/client";
import type { UserKey, UserKeyTestResult } from "../api/types";
import { formatDateTime } from "../format";
import { KeyForm } from "./KeyForm";

type Props = {
  row: UserKey;
  test?: UserKeyTestResult;
  onSaved: (row: UserKey) => void;
  onTested: (result: UserKeyTestResult) => void;
  onDeleted: () => void;
};

export const KeyCard = ({ row, test, onSaved, onTested, onDeleted }: Props) => {
  const { t } = useTranslation();
  const api = useLlmApi();
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState<"test" | "delete">();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [error, setError] = useState<string>();
  const type = row.provider_type;
  const lastTest = row.last_test;

  const runTest = async () => {
    setBusy("test");
    setError(undefined);
    try {
      onTested(await api.testKey(type));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(undefined);
    }
  };

  const runDelete = async () => {
    setBusy("delete");
    setError(undefined);
    try {
      await api.deleteKey(type);
      setConfirmDelete(false);
      setEditing(false);
      onDeleted();
    } catch (e) {
      setConfirmDelete(false);
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <Card data-testid={`llm-key-card-${type}`} data-provider-type={type} data-offered={row.offered}>
      <CardHeader>
        <CardTitle component="h2">{row.display_name}</CardTitle>
        <LabelGroup className="pf-v5-u-mt-sm">
          <Label data-testid="llm-key-status" color={row.set ? "green" : "grey"}>
            {row.set ? t("llmKeySet") : t("llmKeyNotSet")}
          </Label>
          {row.set && lastTest && (
            <Label data-testid="llm-key-last-test" color={lastTest.success ? "green" : "red"}>
              {lastTest.success ? t("llmKeyLastTestOk") : t("llmKeyLastTestFailed")}
            </Label>
          )}
        </LabelGroup>
      </CardHeader>
      <CardBody>
        {!row.offered && (
          <Alert variant="warning" isInline isPlain title={t("llmKeyNotOffered", { provider: row.display_name })} />
        )}
        {row.set && (
          <DescriptionList isHorizontal isCompact className="pf-v5-u-mt-sm">
            <DescriptionListGroup>
              <DescriptionListTerm>{t("llmKeyHint")}</DescriptionListTerm>
              <DescriptionListDescription>
                <span className="llm-key-hint" data-testid="llm-key-hint">
                  {row.hint}
                </span>
              </DescriptionListDescription>
            </DescriptionListGroup>
            <DescriptionListGroup>
              <DescriptionListTerm>{t("llmKeyCreated")}</DescriptionListTerm>
              <DescriptionListDescription>
                {row.created_at !== undefined ? formatDateTime(row.created_at) : "—"}
              </DescriptionListDescription>
            </DescriptionListGroup>
            <DescriptionListGroup>
              <DescriptionListTerm>{t("llmKeyLastUsed")}</DescriptionListTerm>
              <DescriptionListDescription>
                {row.last_used_at !== undefined ? formatDateTime(row.last_used_at) : t("llmNever")}
              </DescriptionListDescription>
            </DescriptionListGroup>
            <DescriptionListGroup>
              <DescriptionListTerm>{t("llmKeyLastTest")}</DescriptionListTerm>
              <DescriptionListDescription>
                {lastTest
                  ? lastTest.success
                    ? t("llmKeyLastTestOkAt", { date: formatDateTime(lastTest.at), ms: lastTest.latency_ms ?? "?" })
                    : t("llmKeyLastTestFailedAt", { date: formatDateTime(lastTest.at), error: lastTest.error ?? "" })
                  : t("llmNever")}
              </DescriptionListDescription>
            </DescriptionListGroup>
          </DescriptionList>
        )}
        {!row.set && row.offered && !editing && <p>{t("llmKeyNotSetBody", { provider: row.display_name })}</p>}
        {test && (
          <Alert
            data-testid="llm-key-test-result"
            data-success={test.success}
            className="pf-v5-u-mt-md"
            variant={test.success ? "success" : "danger"}
            isInline
            title={
              test.success
                ? t("llmKeyTestOk", { ms: test.latency_ms ?? "?", count: test.models_available ?? 0 })
                : t("llmKeyTestFailed")
            }
          >
            {!test.success && test.error}
          </Alert>
        )}
        {error && (
          <Alert data-testid="llm-key-error" className="pf-v5-u-mt-md" variant="danger" isInline title={error} />
        )}
        {editing && (
          <KeyForm
            providerName={row.display_name}
            replacing={row.set}
            onCancel={() => setEditing(false)}
            onSaved={(saved) => {
              setEditing(false);
              onSaved(saved);
            }}
            type={type}
          />
        )}
      </CardBody>
      {!editing && (
        <CardFooter>
          {row.offered && (
            <Button
              data-testid="llm-key-add"
              variant={row.set ? "secondary" : "primary"}
              className="pf-v5-u-mr-sm"
              onClick={() => {
                setError(undefined);
                setEditing(true);
              }}
            >
              {row.set ? t("llmKeyReplace") : t("llmKeyAdd")}
            </Button>
          )}
          {row.set && row.offered && (
            <Button
              data-testid="llm-key-test"
              variant="secondary"
              className="pf-v5-u-mr-sm"
              isLoading={busy === "test"}
              isDisabled={busy !== undefined}
              onClick={() => void runTest()}
            >
              {t("llmKeyTest")}
            </Button>
          )}
          {row.set && (
            <Button
              data-testid="llm-key-delete"
              variant="link"
              isDanger
              isDisabled={busy !== undefined}
              onClick={() => setConfirmDelete(true)}
            >
              {t("delete")}
            </Button>
          )}
        </CardFooter>
      )}
      <Modal
        variant={ModalVariant.small}
        title={t("llmKeyDeleteTitle", { provider: row.display_name })}
        titleIconVariant="warning"
        isOpen={confirmDelete}
        onClose={() => setConfirmDelete(false)}
        data-testid="llm-key-delete-modal"
        actions={[
          <Button
            key="confirm"
            data-testid="llm-key-delete-confirm"
            variant="danger"
            isLoading={busy === "delete"}
            isDisabled={busy !== undefined}
            onClick={() => void runDelete()}
          >
            {t("delete")}
          </Button>,
          <Button key="cancel" variant="link" onClick={() => setConfirmDelete(false)}>
            {t("cancel")}
          </Button>,
        ]}
      >
        {t("llmKeyDeleteBody", { provider: row.display_name })}
      </Modal>
    </Card>
  );
};
