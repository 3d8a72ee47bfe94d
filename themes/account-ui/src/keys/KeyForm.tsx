import {
  ActionGroup,
  Alert,
  Button,
  Form,
  FormGroup,
  FormHelperText,
  HelperText,
  HelperTextItem,
  InputGroup,
  InputGroupItem,
  TextInput,
} from "@patternfly/react-core";
import EyeIcon from "@patternfly/react-icons/dist/esm/icons/eye-icon";
import EyeSlashIcon from "@patternfly/react-icons/dist/esm/icons/eye-slash-icon";
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";

import { LlmApiError, useLlmApi } from "../api/client";
import type { ProviderType, UserKey } from "../api/types";

type Props = {
  type: ProviderType;
  providerName: string;
  replacing: boolean;
  onSaved: (row: UserKey) => void;
  onCancel: () => void;
};

/** Adds or replaces the caller's key for one provider type; the server's refusal is shown at the field. */
export const KeyForm = ({ type, providerName, replacing, onSaved, onCancel }: Props) => {
  const { t } = useTranslation();
  const api = useLlmApi();
  const [value, setValue] = useState("");
  const [visible, setVisible] = useState(false);
  const [saving, setSaving] = useState(false);
  const [fieldError, setFieldError] = useState<string>();
  const [error, setError] = useState<string>();
  const inputId = `llm-key-input-${type}`;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!value.trim()) {
      return;
    }
    setSaving(true);
    setFieldError(undefined);
    setError(undefined);
    try {
      onSaved(await api.putKey(type, value.trim()));
    } catch (e) {
      if (e instanceof LlmApiError && e.status === 400 && (e.field === "apiKey" || e.field === "api_key")) {
        setFieldError(e.message);
      } else {
        setError(e instanceof Error ? e.message : String(e));
      }
    } finally {
      setSaving(false);
    }
  };

  return (
    <Form className="pf-v5-u-mt-md" onSubmit={(e) => void submit(e)} data-testid="llm-key-form">
      {error && <Alert variant="danger" isInline title={error} />}
      <FormGroup label={t("llmKeyInputLabel", { provider: providerName })} fieldId={inputId} isRequired>
        <InputGroup>
          <InputGroupItem isFill>
            <TextInput
              id={inputId}
              data-testid="llm-key-input"
              type={visible ? "text" : "password"}
              autoComplete="off"
              spellCheck={false}
              value={value}
              validated={fieldError ? "error" : "default"}
              onChange={(_, v) => {
                setValue(v);
                setFieldError(undefined);
              }}
            />
          </InputGroupItem>
          <InputGroupItem>
            <Button
              data-testid="llm-key-visibility"
              variant="control"
              aria-label={visible ? t("llmKeyHide") : t("llmKeyShow")}
              aria-pressed={visible}
              onClick={() => setVisible((v) => !v)}
            >
              {visible ? <EyeSlashIcon /> : <EyeIcon />}
            </Button>
          </InputGroupItem>
        </InputGroup>
        <FormHelperText>
          <HelperText>
            {fieldError ? (
              <HelperTextItem variant="error" data-testid="llm-key-field-error">
                {fieldError}
              </HelperTextItem>
            ) : (
              <HelperTextItem>{replacing ? t("llmKeyReplaceHelp") : t("llmKeyInputHelp")}</HelperTextItem>
            )}
          </HelperText>
        </FormHelperText>
      </FormGroup>
      <ActionGroup>
        <Button
          type="submit"
          data-testid="llm-key-save"
          variant="primary"
          isLoading={saving}
          isDisabled={saving || !value.trim()}
        >
          {t("save")}
        </Button>
        <Button variant="link" onClick={onCancel} isDisabled={saving}>
          {t("cancel")}
        </Button>
      </ActionGroup>
    </Form>
  );
};
